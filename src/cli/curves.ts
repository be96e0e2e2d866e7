// `nextmask curves <run folder> [--bin N] [--svg file]`: the run's learning curves (train.log.jsonl)
// as a Markdown table on stdout and, with --svg, a chart (docs and the model card embed both).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { curvesMarkdown, curvesSvg, learningCurves } from '../main/training/learning-curve';
import { RUN_FILES } from '../main/training/train-loop';

export async function curvesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { bin: { type: 'string', default: '100' }, svg: { type: 'string' } },
  });
  const run = positionals[0];
  if (!run) throw new Error('usage: nextmask curves <run folder> [--bin N] [--svg file]');
  const bin = Number(values.bin);
  if (!Number.isInteger(bin) || bin < 1) throw new Error('--bin must be a positive whole number');
  const curves = learningCurves(await readFile(join(run, RUN_FILES.log), 'utf8'), bin);
  if (values.svg) await writeFile(values.svg, curvesSvg(curves));
  process.stdout.write(curvesMarkdown(curves));
  return 0;
}

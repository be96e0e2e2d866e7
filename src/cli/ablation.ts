// `nextmask ablation --config <file> [--variants a,b]`: trains the loss ablation (ntp, ntp+nktp,
// ntp+tcl, ntp+het, all) with one config and step budget, each in <out>/<variant> (resumable like
// `train`), each scored by training's own final val evaluation (the config's valPerGroup and valRule);
// prints one JSON line per variant and, last, a JSON object of all of them.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ABLATION_VARIANTS, type AblationVariant, ablationConfig } from '../main/training/ablation';
import { parseTrainConfig } from '../main/training/train-config';
import { train } from '../main/training/train-loop';

export async function ablationCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      variants: { type: 'string', default: ABLATION_VARIANTS.join(',') },
    },
  });
  if (!values.config) throw new Error('--config <file> is required (see configs/ablation.json)');
  const base = parseTrainConfig(await readFile(values.config, 'utf8'), values.config);
  const variants = values.variants.split(',') as AblationVariant[];
  for (const v of variants) {
    if (!ABLATION_VARIANTS.includes(v)) throw new Error(`unknown variant ${v} (${ABLATION_VARIANTS.join(', ')})`);
  }
  const results: Record<string, object> = {};
  for (const variant of variants) {
    const cfg = ablationConfig(base, variant);
    const log = (line: string) => process.stderr.write(`[${variant}] ${line}\n`);
    const run = await train(cfg, { log });
    results[variant] = { steps: run.steps, trainSeconds: Math.round(run.seconds), ...run.val };
    process.stdout.write(`${JSON.stringify({ variant, ...results[variant] })}\n`);
  }
  process.stdout.write(`${JSON.stringify(results)}\n`);
  return 0;
}

// `nextmask tokens --config configs/<name>.json --variants N --out file.nmtok [--shard i/n] [--split val] [--seed N]
// [--groups btxrd]`: tokenizes the config's training split once (N augmented draws per sample, × its
// groupRepeat) for the GPU trainer (tools/gpu-train), which cannot read ../shared/data. Last line: a JSON summary.

import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { GROUPS, type Group } from '../main/data/samples';
import { layoutOf } from '../main/model/config';
import { architectureOf, loadTokenizers } from '../main/segmenter/runtime/tokenizer-set';
import { dumpTokens } from '../main/training/token-dump';
import { parseTrainConfig } from '../main/training/train-config';
import { trainingSources } from '../main/training/train-loop';

export async function tokensCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      variants: { type: 'string', default: '1' },
      out: { type: 'string' },
      concurrency: { type: 'string', default: '4' },
      shard: { type: 'string', default: '0/1' },
      split: { type: 'string' },
      seed: { type: 'string' },
      groups: { type: 'string' },
    },
  });
  if (!values.config || !values.out)
    throw new Error('usage: nextmask tokens --config <file> --variants N --out <file>');
  const cfg = parseTrainConfig(await readFile(values.config, 'utf8'), values.config);
  const tokenizers = await loadTokenizers(cfg.tokenizers);
  const layout = layoutOf(architectureOf(cfg.architecture, tokenizers));
  if (values.groups) {
    const groups = values.groups.split(',');
    const unknown = groups.filter((g) => !GROUPS.includes(g as Group));
    if (unknown.length) throw new Error(`unknown group(s) ${unknown.join(', ')} (known: ${GROUPS.join(', ')})`);
    cfg.train.groups = groups as Group[];
  }
  // Another split (val, for the trainer's held-out loss) is dumped as is: groupRepeat is for training.
  if (values.split && values.split !== cfg.split) {
    cfg.split = values.split;
    delete cfg.train.groupRepeat;
  }
  const sources = await trainingSources(cfg);
  const [index, count] = values.shard.split('/').map(Number) as [number, number];
  const started = performance.now();
  let shown = 0;
  const header = await dumpTokens(values.out, sources, tokenizers, layout, {
    variants: Number(values.variants),
    // Another seed gives other draws of the same list (more variety for a later dump).
    seed: values.seed === undefined ? cfg.seed : Number(values.seed),
    concurrency: Number(values.concurrency),
    shard: { index, count },
    ...(cfg.train.groupRepeat ? { groupRepeat: cfg.train.groupRepeat } : {}),
    ...(cfg.train.region ? { region: cfg.train.region } : {}),
    progress: (done, total) => {
      if (done - shown >= 1000 || done === total) {
        shown = done;
        process.stderr.write(`${done}/${total} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
      }
    },
  });
  await tokenizers.imageEncoder.release();
  process.stdout.write(
    `${JSON.stringify({ out: values.out, records: header.records, samples: header.samples.length })}\n`,
  );
  return 0;
}

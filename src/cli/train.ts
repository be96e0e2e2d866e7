// `nextmask train --config configs/<name>.json [--fresh] [--seed N] [--max-steps N] [--stop-at N]`: trains
// NTP-MRISeg (--stop-at pauses after step N without changing the schedule; --max-steps sets its length)
// (resuming from the run folder's checkpoint unless --fresh), logging every step and val evaluation to
// <out>/train.log.jsonl and exporting the model to <out>/model. Last line: a JSON summary.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseTrainConfig } from '../main/training/train-config';
import { train } from '../main/training/train-loop';

export async function trainCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      config: { type: 'string' },
      fresh: { type: 'boolean', default: false },
      seed: { type: 'string' },
      'max-steps': { type: 'string' },
      'stop-at': { type: 'string' },
    },
  });
  if (!values.config) throw new Error('--config <file> is required (see configs/)');
  const cfg = parseTrainConfig(await readFile(values.config, 'utf8'), values.config);
  const int = (name: 'seed' | 'max-steps' | 'stop-at', v: string) => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${v}`);
    return n;
  };
  if (values.seed !== undefined) cfg.seed = int('seed', values.seed);
  if (values['max-steps'] !== undefined) cfg.train.maxSteps = int('max-steps', values['max-steps']);
  const result = await train(cfg, {
    fresh: values.fresh,
    ...(values['stop-at'] !== undefined ? { stopAt: int('stop-at', values['stop-at']) } : {}),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

// `nextmask export <run folder> --out <model folder>`: exports the run's checkpoint as a model folder
// (what training exports at each val evaluation), e.g. to ship or probe a checkpoint between evaluations.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCheckpoint } from '../main/engine/checkpoint';
import type { ArchitectureConfig } from '../main/model/config';
import { exportModel } from '../main/segmenter/runtime/model-files';
import type { TrainConfig } from '../main/training/train-config';
import { RUN_FILES } from '../main/training/train-loop';

export async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' } },
  });
  const run = positionals[0];
  if (!run || !values.out) throw new Error('usage: nextmask export <run folder> --out <model folder>');
  const checkpoint = await loadCheckpoint(join(run, RUN_FILES.checkpoint));
  const saved = checkpoint.config as { config?: TrainConfig; architecture?: ArchitectureConfig } | null;
  if (!saved?.config || !saved.architecture) throw new Error(`${run}: the checkpoint holds no training config`);
  const { config, architecture } = saved;
  await exportModel(
    values.out,
    architecture,
    checkpoint.state.params,
    config.tokenizers,
    { steps: checkpoint.state.steps, config },
    config.train.valRule,
  );
  process.stdout.write(`${JSON.stringify({ model: values.out, steps: checkpoint.state.steps })}\n`);
  return 0;
}

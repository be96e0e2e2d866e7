// `nextmask export <run folder | model folder> --out <model folder>`: exports a run's checkpoint as a model
// folder (what training exports at each val evaluation), e.g. to ship or probe a checkpoint between
// evaluations; or a model folder's own weights again, with this version's graphs (a shipped model has no
// checkpoint).
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadCheckpoint } from '../main/engine/checkpoint';
import type { ArchitectureConfig } from '../main/model/config';
import { exportModel, MODEL_FILES, readModelFile } from '../main/model-files/model-folder';
import { modelWeights } from '../main/training/model-weights';
import type { TrainConfig } from '../main/training/train-config';
import { RUN_FILES } from '../main/training/train-loop';

export async function exportCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { out: { type: 'string' } },
  });
  const run = positionals[0];
  if (!run || !values.out) throw new Error('usage: nextmask export <run folder | model folder> --out <model folder>');
  if (existsSync(join(run, MODEL_FILES.config))) {
    if (resolve(run) === resolve(values.out))
      throw new Error('export a model folder to another folder, not onto itself');
    const file = await readModelFile(run);
    const { params, steps } = await modelWeights(run);
    await exportModel(values.out, file.architecture, params, run, file.training, file.decodeRule);
    process.stdout.write(`${JSON.stringify({ model: values.out, steps })}\n`);
    return 0;
  }
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

// A fresh model's starting point for train.py: the codeword-initialised embeddings (what the CPU trainer
// starts from, src/main/training/codeword-init.ts) as tensors, and every other parameter as its init rule
// (normal std, zeros, ones) for train.py to draw. So the file is megabytes, not the model's full size
// (the GPU machine takes at most 64 MiB per call, data included).
// With --model <folder> instead: a trained model folder's own weights (model-weights.ts) and training config,
// to train a shipped model further (its run's checkpoint is not shipped).
// A config with train.initFrom (configs/region.json): that model folder's weights extended to the config's
// region part (src/main/training/extend-weights.ts), as `npm run train` starts from them.
// Usage: npx tsx tools/gpu-train/init.ts (--config configs/<name>.json | --model <model folder>) --out <file.ckpt>
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { saveCheckpoint } from '../../src/main/engine/checkpoint';
import { makeTrainStep } from '../../src/main/engine/train-step';
import { layoutOf } from '../../src/main/model/config';
import { architectureOf, loadTokenizers } from '../../src/main/segmenter/runtime/tokenizer-set';
import { codewordInitialParams } from '../../src/main/training/codeword-init';
import { extendWeights } from '../../src/main/training/extend-weights';
import { modelWeights } from '../../src/main/training/model-weights';
import { parseTrainConfig } from '../../src/main/training/train-config';
import { modelBatch, modelLoss } from '../../src/main/training/train-graph';

const KEPT = ['embed.tokens', 'embed.positions'];

const { values } = parseArgs({
  options: { config: { type: 'string' }, model: { type: 'string' }, out: { type: 'string' } },
});
if (!values.out || !values.config === !values.model)
  throw new Error('usage: init.ts (--config <file> | --model <model folder>) --out <file.ckpt>');
if (values.model) {
  const w = await modelWeights(values.model);
  if (!w.config) throw new Error(`${values.model}/model.json holds no training config to train it further with`);
  await saveCheckpoint(values.out, {
    state: { steps: w.steps, params: w.params, m: {}, v: {} },
    config: { config: w.config, architecture: w.architecture },
    shapes: w.shapes,
  });
  const count = Object.values(w.params).reduce((n, p) => n + p.length, 0);
  process.stdout.write(
    `${JSON.stringify({ out: values.out, from: values.model, steps: w.steps, parameters: count })}\n`,
  );
  process.exit(0);
}
const cfg = parseTrainConfig(await readFile(values.config as string, 'utf8'), values.config);
const tokenizers = await loadTokenizers(cfg.tokenizers);
const arch = architectureOf(cfg.architecture, tokenizers);
const program = makeTrainStep({ batch: modelBatch(arch, cfg.losses, 1), loss: modelLoss(arch, cfg.losses) });
if (cfg.train.initFrom) {
  // A model folder continued with a region part: every weight, as the CPU trainer starts from it.
  const w = await modelWeights(cfg.train.initFrom);
  const params = extendWeights(
    w.params,
    program.params,
    layoutOf(w.architecture),
    layoutOf(arch),
    arch.width,
    cfg.seed,
  );
  await saveCheckpoint(values.out, {
    state: { steps: 0, params, m: {}, v: {} },
    config: { config: cfg, architecture: arch },
    shapes: Object.fromEntries(program.params.map((p) => [p.name, p.shape])),
  });
  process.stdout.write(
    `${JSON.stringify({ out: values.out, from: cfg.train.initFrom, parameters: program.params.reduce((n, p) => n + p.size, 0) })}\n`,
  );
  await tokenizers.imageEncoder.release();
  process.exit(0);
}
const params = codewordInitialParams(program.params, cfg.seed, layoutOf(arch), arch.width, tokenizers);
const rules = Object.fromEntries(
  program.params.filter((p) => !KEPT.includes(p.name)).map((p) => [p.name, { shape: p.shape, init: p.init }]),
);
await saveCheckpoint(values.out, {
  state: { steps: 0, params: Object.fromEntries(KEPT.map((k) => [k, params[k] as Float32Array])), m: {}, v: {} },
  config: { config: cfg, architecture: arch, initRules: rules },
  shapes: Object.fromEntries(program.params.map((p) => [p.name, p.shape])),
});
const count = program.params.reduce((n, p) => n + p.size, 0);
process.stdout.write(`${JSON.stringify({ out: values.out, parameters: count })}\n`);
await tokenizers.imageEncoder.release();

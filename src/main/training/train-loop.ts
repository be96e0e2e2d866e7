// A training run: samples → tokens → fused train steps (engine Trainer), HET memory between epochs,
// a JSON-lines log of every step and val evaluation, checkpoints for resuming, and the exported model.
// Batches depend only on (seed, epoch, position), so a resumed run sees what the first run would have.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { DEFAULT_REGION_MIX, drawRegionItem } from '../data/region-items';
import { createRng, deriveSeed, shuffled } from '../data/rng';
import { listSamples, loadSample, repeatGroups, type SampleSource } from '../data/samples';
import { loadCheckpoint, saveCheckpoint } from '../engine/checkpoint';
import { hostTensor, openSession } from '../engine/session';
import { makeTrainStep } from '../engine/train-step';
import { Trainer, type TrainerState } from '../engine/trainer';
import { type EvalSummary, evaluateModel } from '../evaluation/evaluate';
import { layoutOf } from '../model/config';
import { exportModel, loadModel } from '../segmenter/runtime/model-files';
import { architectureOf, loadTokenizers, tokenizeSample } from '../segmenter/runtime/tokenizer-set';
import { codewordInitialParams } from './codeword-init';
import { extendWeights } from './extend-weights';
import { HetMemory } from './het-memory';
import { modelWeights } from './model-weights';
import { recordErrors, stepBatch } from './train-batch';
import { learningRate, plannedSteps, type TrainConfig } from './train-config';
import { modelBatch, modelLoss, predictionModel } from './train-graph';

export const RUN_FILES = {
  checkpoint: 'checkpoint.ckpt',
  het: 'het-memory.json',
  log: 'train.log.jsonl',
  model: 'model',
};

export interface TrainOptions {
  /** Start over even if the run folder holds a checkpoint. */
  fresh?: boolean;
  /** Stop after this step (checkpoint saved) without changing the schedule, e.g. to change settings there. */
  stopAt?: number;
  log?: (line: string) => void;
}

export interface TrainResult {
  steps: number;
  seconds: number;
  val: EvalSummary | null;
  modelDir: string;
}

/** The config's training sources (its groups, lung targets and sample cap), before groupRepeat. */
export async function trainingSources(cfg: TrainConfig): Promise<SampleSource[]> {
  const sources = await listSamples(cfg.data, cfg.split, {
    ...(cfg.train.groups ? { groups: cfg.train.groups } : {}),
    ...(cfg.train.lungTargets ? { lungTargets: cfg.train.lungTargets } : {}),
  });
  if (cfg.train.maxSamples > 0 && sources.length > cfg.train.maxSamples) {
    return shuffled(createRng(cfg.seed), sources).slice(0, cfg.train.maxSamples);
  }
  return sources;
}

export async function train(cfg: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const say = options.log ?? (() => {});
  const started = performance.now();
  await mkdir(cfg.out, { recursive: true });
  const logPath = join(cfg.out, RUN_FILES.log);
  const record = (entry: object) =>
    appendFile(logPath, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);

  const tokenizers = await loadTokenizers(cfg.tokenizers);
  const arch = architectureOf(cfg.architecture, tokenizers);
  const layout = layoutOf(arch);
  const B = cfg.train.batch;
  const program = makeTrainStep({
    batch: modelBatch(arch, cfg.losses, B),
    loss: modelLoss(arch, cfg.losses),
    ...(cfg.train.optimizer ? { optimizer: cfg.train.optimizer } : {}),
  });

  const zeros = () => Object.fromEntries(program.params.map((p) => [p.name, new Float32Array(p.size)]));
  const startState = async (): Promise<TrainerState | null> => {
    if (cfg.train.initFrom) {
      const w = await modelWeights(cfg.train.initFrom);
      const params = extendWeights(w.params, program.params, layoutOf(w.architecture), layout, arch.width, cfg.seed);
      return { steps: 0, params, m: zeros(), v: zeros() };
    }
    if (cfg.train.init === 'random') return null;
    const params = codewordInitialParams(program.params, cfg.seed, layout, arch.width, tokenizers);
    return { steps: 0, params, m: zeros(), v: zeros() };
  };
  const ckptPath = join(cfg.out, RUN_FILES.checkpoint);
  const resume = !options.fresh && existsSync(ckptPath);
  const checkpoint = resume ? await loadCheckpoint(ckptPath) : null;
  const state = checkpoint ? checkpoint.state : await startState();
  const sessionOptions = {
    threads: cfg.train.threads,
    ...(cfg.train.spin === undefined ? {} : { spin: cfg.train.spin }),
  };
  const trainer = await Trainer.create(program, { seed: cfg.seed, ...sessionOptions, ...(state ? { state } : {}) });
  const het = cfg.losses.het.enabled ? new HetMemory(cfg.losses.het.top, tokenizers.mask) : null;
  const hetPath = join(cfg.out, RUN_FILES.het);
  if (het && resume && existsSync(hetPath)) het.load(JSON.parse(await readFile(hetPath, 'utf8')));
  const predictor: ort.InferenceSession | null = het
    ? (await openSession(predictionModel(arch, B), sessionOptions)).session
    : null;

  const regionMix = cfg.train.region ?? DEFAULT_REGION_MIX;
  let sources = await trainingSources(cfg);
  if (cfg.train.groupRepeat) sources = repeatGroups(sources, cfg.train.groupRepeat);
  const perEpoch = Math.floor(sources.length / B);
  if (perEpoch === 0) throw new Error(`${sources.length} training samples are fewer than one batch of ${B}`);
  const { total, capped } = plannedSteps(cfg.train, perEpoch);
  const cap = capped
    ? ` (maxSteps ${cfg.train.maxSteps} is past ${cfg.train.epochs} epochs; raise "epochs" to go on)`
    : '';
  say(
    `${sources.length} samples, ${perEpoch} steps per epoch, ${total} steps${cap}${resume ? `, resuming at ${trainer.steps}` : ''}`,
  );
  await record({
    type: 'start',
    resumedAt: resume ? trainer.steps : null,
    samples: sources.length,
    perEpoch,
    total,
    config: cfg,
    architecture: arch,
  });

  const saveState = async () => {
    await saveCheckpoint(ckptPath, {
      state: trainer.state(),
      config: { config: cfg, architecture: arch },
      shapes: Object.fromEntries(program.params.map((p) => [p.name, p.shape])),
    });
    if (het) await writeFile(hetPath, JSON.stringify(het.toJSON()));
  };
  const modelDir = join(cfg.out, RUN_FILES.model);
  const validate = async () => {
    await exportModel(
      modelDir,
      arch,
      trainer.parameters(),
      cfg.tokenizers,
      { steps: trainer.steps, config: cfg },
      cfg.train.valRule,
    );
    const model = await loadModel(modelDir, cfg.train.threads);
    const summary = await evaluateModel(model, cfg.data, cfg.valSplit, {
      perGroup: cfg.train.valPerGroup,
      ...(cfg.train.valRule ? { rule: cfg.train.valRule } : {}),
    });
    await Promise.all([model.prefill.release(), model.decode.release()]);
    await record({ type: 'val', step: trainer.steps, split: cfg.valSplit, ...summary });
    say(`val @${trainer.steps}: ${JSON.stringify(summary)}`);
    return summary;
  };

  let val: EvalSummary | null = null;
  // Whatever stops the run (an error, a non-finite loss), the sessions and the image encoder are released.
  try {
    const end = options.stopAt !== undefined ? Math.min(total, options.stopAt) : total;
    while (trainer.steps < end) {
      const step = trainer.steps;
      const epoch = Math.floor(step / perEpoch);
      const order = shuffled(createRng(deriveSeed(cfg.seed, epoch)), sources);
      const chosen = order.slice((step % perEpoch) * B, ((step % perEpoch) + 1) * B);
      const t0 = performance.now();
      const items = await Promise.all(
        chosen.map(async (s, i) => {
          const seed = deriveSeed(cfg.seed, step * B + i);
          const sample = await loadSample(s, { seed });
          if (layout.regionSlots === 0) return { id: s.id, item: sample };
          const item = drawRegionItem(sample, regionMix, seed, layout.regionClicks ?? 0);
          // HET remembers errors per kind of item: a window's tokens are not the film's.
          return { id: `${s.id}|${item.kind}`, item };
        }),
      );
      const tokens = await Promise.all(items.map(({ item }) => tokenizeSample(tokenizers, layout, item)));
      const ids = items.map(({ id }) => id);
      const { batch, feeds } = stepBatch(layout, tokens, ids, cfg.train, cfg.seed, step, het);
      const lr = learningRate(cfg.train, step, total);
      const t1 = performance.now();
      const r = await trainer.step(feeds, lr);
      if (het && predictor) {
        const params = trainer.parameters();
        await recordErrors(
          layout,
          het,
          predictor,
          batch,
          ids,
          Object.fromEntries(program.params.map((p) => [p.name, hostTensor(params[p.name] as Float32Array, p.shape)])),
        );
      }
      const t2 = performance.now();
      await record({
        type: 'step',
        step: r.step,
        epoch,
        lr,
        loss: r.loss,
        gradNorm: r.gradNorm,
        ...r.metrics,
        dataMs: t1 - t0,
        stepMs: t2 - t1,
      });
      if (r.step % 10 === 0 || r.step === total)
        say(
          `step ${r.step}/${total} loss ${r.loss.toFixed(4)} acc ${r.metrics.accuracy?.toFixed(3)} (${(t2 - t0).toFixed(0)} ms)`,
        );
      if (!Number.isFinite(r.loss))
        throw new Error(`loss is ${r.loss} at step ${r.step}; stopping (the last checkpoint is intact)`);
      if (cfg.train.checkpointEvery > 0 && r.step % cfg.train.checkpointEvery === 0) await saveState();
      if (cfg.train.valEvery > 0 && r.step % cfg.train.valEvery === 0 && r.step < total) val = await validate();
    }
    await saveState();
    val = await validate();
  } finally {
    await trainer.close();
    await predictor?.release();
    await tokenizers.imageEncoder.release();
  }
  const seconds = (performance.now() - started) / 1000;
  await record({ type: 'end', steps: trainer.steps, seconds });
  return { steps: trainer.steps, seconds, val, modelDir };
}

// A training run: samples → tokens → fused train steps (engine Trainer), HET memory between epochs,
// a JSON-lines log of every step and val evaluation, checkpoints for resuming, and the exported model.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import type { TokenLayout } from '../../shared/tokens';
import { DEFAULT_REGION_MIX, drawRegionItem } from '../data/region-items';
import { createRng, shuffled } from '../data/rng';
import { listSamples, loadSample, repeatGroups, type SampleSource } from '../data/samples';
import { loadCheckpoint, saveCheckpoint } from '../engine/checkpoint';
import { hostTensor, openSession } from '../engine/session';
import type { TrainProgram } from '../engine/train-step';
import { makeTrainStep } from '../engine/train-step';
import { type StepResult, Trainer, type TrainerState } from '../engine/trainer';
import { type EvalSummary, evaluateModel } from '../evaluation/evaluate';
import { type ArchitectureConfig, layoutOf } from '../model/config';
import { exportModel } from '../model-files/model-folder';
import { loadModel } from '../segmenter/runtime/model-files';
import { architectureOf, loadTokenizers, type Tokenizers, tokenizeSample } from '../segmenter/runtime/tokenizer-set';
import { codewordInitialParams } from './codeword-init';
import { startingWeights } from './extend-weights';
import { HetMemory } from './het-memory';
import { modelWeights } from './model-weights';
import { type HetRecorder, runSteps, type StepInfo, type StepRow } from './step-loop';
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

/** The run's JSON-lines log: every entry stamped with its time. */
function runLog(out: string): (entry: object) => Promise<void> {
  const path = join(out, RUN_FILES.log);
  return (entry) => appendFile(path, `${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
}

/** Where a fresh run starts: a smaller model's weights extended, codeword init, or (null) the trainer's random init. */
async function freshState(
  cfg: TrainConfig,
  program: TrainProgram,
  arch: ArchitectureConfig,
  tokenizers: Tokenizers,
): Promise<TrainerState | null> {
  const layout = layoutOf(arch);
  const zeros = () => Object.fromEntries(program.params.map((p) => [p.name, new Float32Array(p.size)]));
  if (cfg.train.initFrom) {
    const w = await modelWeights(cfg.train.initFrom);
    const params = startingWeights(w.params, program.params, layoutOf(w.architecture), layout, arch.width, cfg.seed);
    return { steps: 0, params, m: zeros(), v: zeros() };
  }
  if (cfg.train.init === 'random') return null;
  const params = codewordInitialParams(program.params, cfg.seed, layout, arch.width, tokenizers);
  return { steps: 0, params, m: zeros(), v: zeros() };
}

/** The sources a run trains on (groupRepeat applied), their steps per epoch and the planned total. */
async function planRun(cfg: TrainConfig) {
  const B = cfg.train.batch;
  let sources = await trainingSources(cfg);
  if (cfg.train.groupRepeat) sources = repeatGroups(sources, cfg.train.groupRepeat);
  const perEpoch = Math.floor(sources.length / B);
  if (perEpoch === 0) throw new Error(`${sources.length} training samples are fewer than one batch of ${B}`);
  return { sources, perEpoch, ...plannedSteps(cfg.train, perEpoch) };
}

/** A base-training row: the sample loaded (augmented by its seed), drawn as a region item when the model has region slots. */
function sampleRow(cfg: TrainConfig, layout: TokenLayout, tokenizers: Tokenizers) {
  const regionMix = cfg.train.region ?? DEFAULT_REGION_MIX;
  return async (s: SampleSource, seed: number): Promise<StepRow> => {
    const sample = await loadSample(s, { seed });
    if (layout.regionSlots === 0) return { id: s.id, tokens: await tokenizeSample(tokenizers, layout, sample) };
    const item = drawRegionItem(sample, regionMix, seed, layout.regionClicks ?? 0);
    // HET remembers errors per kind of item: a window's tokens are not the film's.
    return { id: `${s.id}|${item.kind}`, tokens: await tokenizeSample(tokenizers, layout, item) };
  };
}

/** Exports the trainer's weights to `modelDir` and scores them on the config's val split. */
async function validate(cfg: TrainConfig, arch: ArchitectureConfig, trainer: Trainer, modelDir: string) {
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
  return summary;
}

/** The fused train step of the config's model, losses and optimizer. */
function trainProgram(cfg: TrainConfig, arch: ArchitectureConfig): TrainProgram {
  return makeTrainStep({
    batch: modelBatch(arch, cfg.losses, cfg.train.batch),
    loss: modelLoss(arch, cfg.losses),
    ...(cfg.train.optimizer ? { optimizer: cfg.train.optimizer } : {}),
  });
}

/**
 * The run's trainer, resumed from the run folder's checkpoint (and HET memory) unless `fresh`, else
 * started anew; HET's memory and predictor; and `save`, which checkpoints both.
 */
async function openTrainer(
  cfg: TrainConfig,
  program: TrainProgram,
  arch: ArchitectureConfig,
  tokenizers: Tokenizers,
  fresh: boolean,
) {
  const ckptPath = join(cfg.out, RUN_FILES.checkpoint);
  const resume = !fresh && existsSync(ckptPath);
  const checkpoint = resume ? await loadCheckpoint(ckptPath) : null;
  const state = checkpoint ? checkpoint.state : await freshState(cfg, program, arch, tokenizers);
  const sessionOptions = {
    threads: cfg.train.threads,
    ...(cfg.train.spin === undefined ? {} : { spin: cfg.train.spin }),
  };
  const trainer = await Trainer.create(program, { seed: cfg.seed, ...sessionOptions, ...(state ? { state } : {}) });
  const het = cfg.losses.het.enabled ? new HetMemory(cfg.losses.het.top, tokenizers.mask) : null;
  const hetPath = join(cfg.out, RUN_FILES.het);
  if (het && resume && existsSync(hetPath)) het.load(JSON.parse(await readFile(hetPath, 'utf8')));
  const predictor: ort.InferenceSession | null = het
    ? (await openSession(predictionModel(arch, cfg.train.batch), sessionOptions)).session
    : null;
  const save = async () => {
    await saveCheckpoint(ckptPath, {
      state: trainer.state(),
      config: { config: cfg, architecture: arch },
      shapes: Object.fromEntries(program.params.map((p) => [p.name, p.shape])),
    });
    if (het) await writeFile(hetPath, JSON.stringify(het.toJSON()));
  };
  const recorder: HetRecorder | null =
    het && predictor
      ? {
          memory: het,
          predictor,
          params: () => {
            const params = trainer.parameters();
            return Object.fromEntries(
              program.params.map((p) => [p.name, hostTensor(params[p.name] as Float32Array, p.shape)]),
            );
          },
        }
      : null;
  return { trainer, resume, het: recorder, predictor, save };
}

export async function train(cfg: TrainConfig, options: TrainOptions = {}): Promise<TrainResult> {
  const say = options.log ?? (() => {});
  const started = performance.now();
  await mkdir(cfg.out, { recursive: true });
  const record = runLog(cfg.out);

  const tokenizers = await loadTokenizers(cfg.tokenizers);
  const arch = architectureOf(cfg.architecture, tokenizers);
  const layout = layoutOf(arch);
  const program = trainProgram(cfg, arch);
  const { trainer, resume, het, predictor, save } = await openTrainer(
    cfg,
    program,
    arch,
    tokenizers,
    options.fresh ?? false,
  );

  const { sources, perEpoch, total, capped } = await planRun(cfg);
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

  const modelDir = join(cfg.out, RUN_FILES.model);
  const validated = async () => {
    const summary = await validate(cfg, arch, trainer, modelDir);
    await record({ type: 'val', step: trainer.steps, split: cfg.valSplit, ...summary });
    say(`val @${trainer.steps}: ${JSON.stringify(summary)}`);
    return summary;
  };
  let val: EvalSummary | null = null;
  const afterStep = async (r: StepResult, { epoch, lr, dataMs, stepMs }: StepInfo) => {
    const { step, loss, gradNorm, metrics } = r;
    await record({ type: 'step', step, epoch, lr, loss, gradNorm, ...metrics, dataMs, stepMs });
    if (step % 10 === 0 || step === total)
      say(
        `step ${step}/${total} loss ${loss.toFixed(4)} acc ${metrics.accuracy?.toFixed(3)} (${(dataMs + stepMs).toFixed(0)} ms)`,
      );
    if (!Number.isFinite(loss))
      throw new Error(`loss is ${loss} at step ${step}; stopping (the last checkpoint is intact)`);
    if (cfg.train.checkpointEvery > 0 && step % cfg.train.checkpointEvery === 0) await save();
    if (cfg.train.valEvery > 0 && step % cfg.train.valEvery === 0 && step < total) val = await validated();
    return false;
  };
  // Whatever stops the run (an error, a non-finite loss), the sessions and the image encoder are released.
  try {
    const end = options.stopAt !== undefined ? Math.min(total, options.stopAt) : total;
    const row = sampleRow(cfg, layout, tokenizers);
    const lr = (step: number) => learningRate(cfg.train, step, total);
    const { batch } = cfg.train;
    const loop = { trainer, layout, items: sources, batch, perEpoch, seed: cfg.seed, firstEpoch: 0, row, het, lr };
    await runSteps({ ...loop, noise: cfg.train, afterStep }, end);
    await save();
    val = await validated();
  } finally {
    await trainer.close();
    await predictor?.release();
    await tokenizers.imageEncoder.release();
  }
  const seconds = (performance.now() - started) / 1000;
  await record({ type: 'end', steps: trainer.steps, seconds });
  return { steps: trainer.steps, seconds, val, modelDir };
}

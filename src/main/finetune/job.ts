// One fine-tuning run, start to end, in the thread that calls it (job-worker.ts runs it off the main
// thread): the active model's weights → held-out Dice before → epochs of fused train steps (NkTP,
// TCL, HET; training's augmentation and mask-input corruption) with a guard against forgetting →
// held-out teacher-forced loss after every epoch, keeping the best epoch and stopping early when it
// stops improving → the best weights exported to `outDir` → held-out Dice after.
// Nothing outside `outDir` is written, so a crash or kill at any moment leaves every model as it was.

import type * as ort from 'onnxruntime-node';
import { FINETUNE_THUMB } from '../../shared/finetune-types';
import { packBits } from '../../shared/labelmap/bits';
import type { ExecutionProviderName } from '../../shared/segment-types';
import { GRID_TOKENS, type TokenLayout } from '../../shared/tokens';
import { hostTensor, openSession, type SessionOptions } from '../engine/session';
import { makeTrainStep } from '../engine/train-step';
import { Trainer } from '../engine/trainer';
import { diceOf, overlap } from '../evaluation/segmentation';
import { type Mask, resizeNearest } from '../imaging/resample';
import { type ArchitectureConfig, DEFAULT_LOSSES, type LossConfig, layoutOf } from '../model/config';
import { exportModel, readModelFile } from '../model-files/model-folder';
import { segment } from '../segmenter/pipeline/segment';
import { TEST_TIME_VIEWS } from '../segmenter/pipeline/test-time-views';
import { loadModel, releaseModel } from '../segmenter/runtime/model-files';
import { loadTokenizers, type SampleTokens, type Tokenizers, tokenizeSample } from '../segmenter/runtime/tokenizer-set';
import { type HardError, HetMemory } from '../training/het-memory';
import { modelWeights } from '../training/model-weights';
import { type HetRecorder, runSteps } from '../training/step-loop';
import { packBatch } from '../training/train-batch';
import { predictionModel } from '../training/train-graph';
import { type Anchor, forgettingGuard, heldOutLossModel, trainableNames } from './guard';
import { type FineTuneItem, loadItem } from './items';

/** What to protect the model's other skills with (docs/FINETUNE.md, "Forgetting"). */
export type Guard = 'l2' | 'last-blocks';

export interface FineTuneSettings {
  /** At most this many epochs (early stopping may end sooner). */
  epochs: number;
  lr: number;
  /** Samples per step (fewer when the set is smaller). */
  batch: number;
  guard: Guard;
  /** 'l2': strength of the pull towards the starting weights (λ of λ·Σ(w − w₀)²). */
  l2: number;
  /** 'last-blocks': how many of the last decoder blocks train (with the final norm and heads 2..k). */
  blocks: number;
  /** Stop after this many epochs without a better held-out loss. */
  patience: number;
  seed: number;
  /** Test-time views of the before/after answers (1: the image alone; the app's answer uses all). */
  views: number;
  /** HET's loss weight (default: the model's own, from its training config). */
  hetWeight?: number;
  threads?: number;
}

export const DEFAULT_SETTINGS: FineTuneSettings = {
  epochs: 8,
  lr: 1e-4,
  batch: 8,
  // Measured on bench:finetune (docs/FINETUNE.md): the last block + heads kept the held-out Dice and the
  // other groups better than all weights under the L2 pull, at about half the time per step.
  guard: 'last-blocks',
  l2: 1,
  blocks: 1,
  patience: 2,
  seed: 1,
  views: 1,
};

export interface FineTuneSpec {
  /** The model to start from (the active version or the shipped base). */
  modelDir: string;
  /** HET memory the parent version left (the next round continues it). */
  hetMemory?: Record<string, HardError[]>;
  train: FineTuneItem[];
  heldOut: FineTuneItem[];
  settings: FineTuneSettings;
  /** Where the new model folder is written (a staging folder: versions.ts moves it into place). */
  outDir: string;
  /** Providers to try in order (default the CPU, always the last resort). */
  executionProvider?: ExecutionProviderName | readonly ExecutionProviderName[];
}

export type FineTuneProgress =
  | { phase: 'before' | 'after'; done: number; total: number }
  | {
      phase: 'train';
      epoch: number;
      epochs: number;
      step: number;
      steps: number;
      loss: number;
      etaSeconds: number;
    }
  | ({ phase: 'epoch' } & EpochRecord);

export interface EpochRecord {
  /** 1-based; epoch 0 is the starting model. */
  epoch: number;
  trainLoss: number | null;
  /** Head 1's teacher-forced cross-entropy on the held-out items (canonical, unaugmented). */
  heldOutLoss: number;
  seconds: number;
}

export interface CaseScore {
  id: string;
  caseId: string;
  text: string;
  before: number;
  after: number;
  /** The answers before and after as the panel draws them: FINETUNE_THUMB², one bit per pixel (packBits), base64. */
  beforeMask: string;
  afterMask: string;
}

export interface FineTuneResult {
  epochs: EpochRecord[];
  /** The epoch whose weights were kept (0: none beat the starting model, which is then kept as is). */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** Mean held-out Dice before and after. */
  before: number;
  after: number;
  cases: CaseScore[];
  seconds: number;
  secondsPerEpoch: number;
  /** The provider the training steps ran on, and why the requested one did not, when it did not. */
  provider: RunProvider;
  hetMemory: Record<string, HardError[]>;
}

export interface JobHooks {
  onProgress?: (p: FineTuneProgress) => void;
  /** Polled between steps and images. */
  cancelled?: () => boolean;
}

export class Cancelled extends Error {
  constructor() {
    super('fine-tuning was cancelled');
    this.name = 'Cancelled';
  }
}

export interface RunProvider {
  name: ExecutionProviderName;
  fallbackReason?: string;
}

interface HeldOutAnswer {
  dice: number;
  text: string;
  /** CaseScore's beforeMask / afterMask. */
  mask: string;
}

function thumbnailMask(mask: Mask): string {
  return Buffer.from(packBits(resizeNearest(mask, FINETUNE_THUMB, FINETUNE_THUMB).data)).toString('base64');
}

/** Canonical items' held-out Dice (and answers, small) under the model in `dir`, and the provider that ran it. */
async function heldOutDice(
  dir: string,
  items: readonly FineTuneItem[],
  settings: FineTuneSettings,
  sessionOptions: SessionOptions,
  phase: 'before' | 'after',
  hooks: JobHooks,
): Promise<{ answers: HeldOutAnswer[]; provider: RunProvider }> {
  const model = await loadModel(dir, sessionOptions);
  const { provider, fallbackReason } = model;
  try {
    const scores: HeldOutAnswer[] = [];
    for (const [i, item] of items.entries()) {
      if (hooks.cancelled?.()) throw new Cancelled();
      const loaded = await loadItem(item);
      const answer = await segment(model, loaded.image, loaded.text, loaded.sourceMask, {
        views: TEST_TIME_VIEWS.slice(0, settings.views),
      });
      scores.push({
        dice: diceOf(overlap(answer.mask.data, loaded.sourceMask.data)),
        text: loaded.text,
        mask: thumbnailMask(answer.mask),
      });
      hooks.onProgress?.({ phase, done: i + 1, total: items.length });
    }
    return { answers: scores, provider: { name: provider, ...(fallbackReason ? { fallbackReason } : {}) } };
  } finally {
    await releaseModel(model);
  }
}

async function tokenize(tokenizers: Tokenizers, arch: ArchitectureConfig, item: FineTuneItem, seed?: number) {
  return tokenizeSample(tokenizers, layoutOf(arch), await loadItem(item, seed));
}

function checkSpec(spec: FineTuneSpec): void {
  if (spec.train.length === 0) throw new Error('nothing to train on');
  if (spec.heldOut.length === 0) throw new Error('no held-out cases to measure the run on');
}

/** The starting model's weights and the losses the run trains with (HET's weight overridable). */
async function startingModel(spec: FineTuneSpec) {
  const weights = await modelWeights(spec.modelDir);
  const modelLosses: LossConfig = weights.config?.losses ?? DEFAULT_LOSSES;
  const { hetWeight } = spec.settings;
  const losses: LossConfig =
    hetWeight === undefined ? modelLosses : { ...modelLosses, het: { ...modelLosses.het, weight: hetWeight } };
  return { weights, arch: weights.architecture, losses };
}

type Weights = Awaited<ReturnType<typeof modelWeights>>;

/**
 * The trainer over the weights the guard lets train, started from the model's weights, and the
 * inputs fed unchanged every step: frozen weights, and the starting weights the L2 guard pulls towards.
 */
async function guardedTrainer(
  weights: Weights,
  losses: LossConfig,
  B: number,
  settings: FineTuneSettings,
  sessionOptions: SessionOptions,
) {
  const arch = weights.architecture;
  const names = Object.keys(weights.params);
  const trainable = new Set(trainableNames(names, arch, settings));
  const frozen = names.filter((n) => !trainable.has(n));
  const anchors: Anchor[] =
    settings.guard === 'l2' ? names.map((n) => ({ name: n, shape: weights.shapes[n] as number[] })) : [];
  const optimizer = weights.config?.train?.optimizer;
  const program = makeTrainStep({
    ...forgettingGuard(arch, losses, B, anchors, settings.l2),
    frozen,
    ...(optimizer ? { optimizer } : {}),
  });
  const zeros = () => Object.fromEntries(program.params.map((p) => [p.name, new Float32Array(p.size)]));
  const startParams = Object.fromEntries(program.params.map((p) => [p.name, weights.params[p.name] as Float32Array]));
  const trainer = await Trainer.create(program, {
    ...sessionOptions,
    state: { steps: 0, params: startParams, m: zeros(), v: zeros() },
  });
  const fixed: Record<string, Float32Array> = {
    ...Object.fromEntries(frozen.map((n) => [n, weights.params[n] as Float32Array])),
    ...Object.fromEntries(anchors.map((a) => [`anchor:${a.name}`, weights.params[a.name] as Float32Array])),
  };
  return { trainer, fixed };
}

/** Every weight as ORT inputs, in the model's order. */
function paramFeeds(weights: Weights, params: Record<string, Float32Array>): Record<string, ort.Tensor> {
  return Object.fromEntries(
    Object.keys(weights.params).map((n) => [n, hostTensor(params[n] as Float32Array, weights.shapes[n] as number[])]),
  );
}

/** Head 1's mean teacher-forced loss on the held-out rows, under the weights it is given. */
function heldOutLossOf(
  layout: TokenLayout,
  session: ort.InferenceSession,
  rows: readonly SampleTokens[],
  weights: Weights,
) {
  return async (params: Record<string, Float32Array>) => {
    let sum = 0;
    for (const t of rows) {
      const b = packBatch(layout, [t]);
      const out = await session.run({
        image: hostTensor(b.image, [1, GRID_TOKENS, layout.imageLevels]),
        tokens: hostTensor(b.tokens, [1, layout.promptTokens + GRID_TOKENS]),
        ...(layout.priorTokens > 0 ? { prior: hostTensor(b.prior, [1, layout.priorTokens]) } : {}),
        targets: hostTensor(b.targets, [1, layout.outputs]),
        ...paramFeeds(weights, params),
      });
      sum += Number(out.loss?.data[0]);
    }
    return sum / rows.length;
  };
}

/** The epochs a run trained, the best of them (0: the starting model) and whether patience ran out first. */
interface Epochs {
  records: EpochRecord[];
  best: { epoch: number; loss: number; params: Record<string, Float32Array> };
  stoppedEarly: boolean;
  trainSeconds: number;
}

/** The held-out loss of the starting model, then epochs of steps, each ending with its held-out loss. */
async function trainEpochs(
  spec: FineTuneSpec,
  run: {
    trainer: Trainer;
    fixed: Record<string, Float32Array>;
    weights: Weights;
    tokenizers: Tokenizers;
    het: HetRecorder | null;
    heldOutLoss: (params: Record<string, Float32Array>) => Promise<number>;
    B: number;
  },
  hooks: JobHooks,
): Promise<Epochs> {
  const { settings } = spec;
  const { trainer, weights, B } = run;
  const arch = weights.architecture;
  const check = () => {
    if (hooks.cancelled?.()) throw new Cancelled();
  };
  const allParams = () => ({ ...weights.params, ...trainer.parameters() });
  const records: EpochRecord[] = [
    { epoch: 0, trainLoss: null, heldOutLoss: await run.heldOutLoss(weights.params), seconds: 0 },
  ];
  hooks.onProgress?.({ phase: 'epoch', ...(records[0] as EpochRecord) });
  let best = { epoch: 0, loss: (records[0] as EpochRecord).heldOutLoss, params: weights.params };
  const perEpoch = Math.ceil(spec.train.length / B);
  const total = perEpoch * settings.epochs;
  const trainStarted = performance.now();
  let epochStarted = trainStarted;
  let lossSum = 0;
  let stoppedEarly = false;
  const endOfEpoch = async (epoch: number): Promise<boolean> => {
    check();
    const params = allParams();
    const record: EpochRecord = {
      epoch,
      trainLoss: lossSum / perEpoch,
      heldOutLoss: await run.heldOutLoss(params),
      seconds: (performance.now() - epochStarted) / 1000,
    };
    records.push(record);
    hooks.onProgress?.({ phase: 'epoch', ...record });
    lossSum = 0;
    epochStarted = performance.now();
    if (record.heldOutLoss < best.loss) {
      best = {
        epoch,
        loss: record.heldOutLoss,
        params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float32Array.from(v)])),
      };
    } else if (epoch - best.epoch >= settings.patience) {
      stoppedEarly = epoch < settings.epochs;
      return true;
    }
    return false;
  };
  await runSteps(
    {
      trainer,
      layout: layoutOf(arch),
      items: spec.train,
      batch: B,
      perEpoch,
      seed: settings.seed,
      firstEpoch: 1,
      row: async (item, seed) => ({ id: item.id, tokens: await tokenize(run.tokenizers, arch, item, seed) }),
      noise: weights.config?.train,
      het: run.het,
      lr: () => settings.lr,
      fixed: run.fixed,
      beforeStep: check,
      afterStep: async (r, { step, epoch }) => {
        if (!Number.isFinite(r.loss)) throw new Error(`the loss became ${r.loss} at step ${r.step}; nothing was saved`);
        lossSum += r.loss;
        const elapsed = (performance.now() - trainStarted) / 1000;
        hooks.onProgress?.({
          phase: 'train',
          epoch,
          epochs: settings.epochs,
          step: step + 1,
          steps: total,
          loss: r.loss,
          etaSeconds: (elapsed / (step + 1)) * (total - step - 1),
        });
        return (step + 1) % perEpoch === 0 && (await endOfEpoch(epoch));
      },
    },
    total,
  );
  return { records, best, stoppedEarly, trainSeconds: (performance.now() - trainStarted) / 1000 };
}

const meanDice = (xs: { dice: number }[]) => xs.reduce((a, b) => a + b.dice, 0) / xs.length;

/** Each held-out case's text, Dice and small answer, before and after. */
function caseScores(items: readonly FineTuneItem[], before: HeldOutAnswer[], after: HeldOutAnswer[]): CaseScore[] {
  return items.map((item, i) => ({
    id: item.id,
    caseId: item.caseId,
    text: before[i]?.text ?? '',
    before: before[i]?.dice ?? 0,
    after: after[i]?.dice ?? 0,
    beforeMask: before[i]?.mask ?? '',
    afterMask: after[i]?.mask ?? '',
  }));
}

export async function runFineTune(spec: FineTuneSpec, hooks: JobHooks = {}): Promise<FineTuneResult> {
  const started = performance.now();
  const { settings } = spec;
  checkSpec(spec);
  const file = await readModelFile(spec.modelDir);
  const { weights, arch, losses } = await startingModel(spec);
  const layout = layoutOf(arch);
  const threads = { threads: settings.threads ?? 1, spin: false };

  // The first session tries the requested providers; the run's other sessions open on the one it settled
  // on, so a missing GPU is tried (and ORT logs its failure) once per run rather than once per session.
  const before = await heldOutDice(
    spec.modelDir,
    spec.heldOut,
    settings,
    { ...threads, ...(spec.executionProvider ? { executionProvider: spec.executionProvider } : {}) },
    'before',
    hooks,
  );
  const sessionOptions: SessionOptions = { ...threads, executionProvider: before.provider.name };

  const tokenizers = await loadTokenizers(spec.modelDir);
  const B = Math.min(settings.batch, spec.train.length);
  const { trainer, fixed } = await guardedTrainer(weights, losses, B, settings, sessionOptions);
  const het = losses.het.enabled ? new HetMemory(losses.het.top, tokenizers.mask) : null;
  if (het && spec.hetMemory) het.load(spec.hetMemory);
  const opened = await Promise.all([
    het ? openSession(predictionModel(arch, B), sessionOptions) : null,
    openSession(heldOutLossModel(arch), sessionOptions),
  ]);
  const predictor = opened[0]?.session ?? null;
  const lossSession = (opened[1] as { session: ort.InferenceSession }).session;
  const heldOutTokens = await Promise.all(spec.heldOut.map((item) => tokenize(tokenizers, arch, item)));

  let epochs: Epochs;
  try {
    epochs = await trainEpochs(
      spec,
      {
        trainer,
        fixed,
        weights,
        tokenizers,
        het:
          het && predictor
            ? {
                memory: het,
                predictor,
                params: () => paramFeeds(weights, { ...weights.params, ...trainer.parameters() }),
              }
            : null,
        heldOutLoss: heldOutLossOf(layout, lossSession, heldOutTokens, weights),
        B,
      },
      hooks,
    );
  } finally {
    await Promise.all([
      trainer.close(),
      predictor?.release(),
      lossSession.release(),
      tokenizers.imageEncoder.release(),
    ]);
  }
  if (hooks.cancelled?.()) throw new Cancelled();
  const { best } = epochs;
  await exportModel(
    spec.outDir,
    arch,
    best.params,
    spec.modelDir,
    { fineTuned: { from: spec.modelDir, epoch: best.epoch }, steps: weights.steps, config: weights.config },
    file.decodeRule ?? 'argmax',
  );
  const after = await heldOutDice(spec.outDir, spec.heldOut, settings, sessionOptions, 'after', hooks);
  // The trainer's own reason when the settled provider could not run the training graph, else the first session's.
  const fallbackReason = trainer.provider.fallbackReason || before.provider.fallbackReason;
  return {
    epochs: epochs.records,
    bestEpoch: best.epoch,
    stoppedEarly: epochs.stoppedEarly,
    before: meanDice(before.answers),
    after: meanDice(after.answers),
    cases: caseScores(spec.heldOut, before.answers, after.answers),
    seconds: (performance.now() - started) / 1000,
    secondsPerEpoch: epochs.trainSeconds / Math.max(1, epochs.records.length - 1),
    provider: { name: trainer.provider.name, ...(fallbackReason ? { fallbackReason } : {}) },
    hetMemory: het ? het.toJSON() : {},
  };
}

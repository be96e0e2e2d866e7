// One fine-tuning run, start to end, in the thread that calls it (worker.ts runs it off the main
// thread): the active model's weights → held-out Dice before → epochs of fused train steps (NkTP,
// TCL, HET; training's augmentation and mask-input corruption) with a guard against forgetting →
// held-out teacher-forced loss after every epoch, keeping the best epoch and stopping early when it
// stops improving → the best weights exported to `outDir` → held-out Dice after.
// Nothing outside `outDir` is written, so a crash or kill at any moment leaves every model as it was.
import { FINETUNE_THUMB } from '../../shared/finetune-types';
import { packBits } from '../../shared/labelmap/bits';
import type { ExecutionProviderName } from '../../shared/segment-types';
import { GRID_TOKENS } from '../../shared/tokens';
import { createRng, deriveSeed, shuffled } from '../data/rng';
import { hostTensor, openSession, type SessionOptions } from '../engine/session';
import { makeTrainStep } from '../engine/train-step';
import { Trainer } from '../engine/trainer';
import { diceOf, overlap } from '../evaluation/segmentation';
import { type Mask, resizeNearest } from '../imaging/resample';
import { type ArchitectureConfig, DEFAULT_LOSSES, type LossConfig, layoutOf } from '../model/config';
import { segment } from '../segmenter/pipeline/segment';
import { TEST_TIME_VIEWS } from '../segmenter/pipeline/test-time-views';
import { exportModel, loadModel, readModelFile, releaseModel } from '../segmenter/runtime/model-files';
import { loadTokenizers, type Tokenizers, tokenizeSample } from '../segmenter/runtime/tokenizer-set';
import { type HardError, HetMemory } from '../training/het-memory';
import { modelWeights } from '../training/model-weights';
import { packBatch, recordErrors, stepBatch } from '../training/train-batch';
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

export async function runFineTune(spec: FineTuneSpec, hooks: JobHooks = {}): Promise<FineTuneResult> {
  const started = performance.now();
  const { settings } = spec;
  const check = () => {
    if (hooks.cancelled?.()) throw new Cancelled();
  };
  if (spec.train.length === 0) throw new Error('nothing to train on');
  if (spec.heldOut.length === 0) throw new Error('no held-out cases to measure the run on');
  const file = await readModelFile(spec.modelDir);
  const weights = await modelWeights(spec.modelDir);
  const arch = weights.architecture;
  const layout = layoutOf(arch);
  const trainCfg = weights.config?.train;
  const modelLosses: LossConfig = weights.config?.losses ?? DEFAULT_LOSSES;
  const losses: LossConfig =
    settings.hetWeight === undefined
      ? modelLosses
      : { ...modelLosses, het: { ...modelLosses.het, weight: settings.hetWeight } };
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
  const names = Object.keys(weights.params);
  const trainable = new Set(trainableNames(names, arch, settings));
  const frozen = names.filter((n) => !trainable.has(n));
  const anchors: Anchor[] =
    settings.guard === 'l2' ? names.map((n) => ({ name: n, shape: weights.shapes[n] as number[] })) : [];
  const program = makeTrainStep({
    ...forgettingGuard(arch, losses, B, anchors, settings.l2),
    frozen,
    ...(trainCfg?.optimizer ? { optimizer: trainCfg.optimizer } : {}),
  });
  const zeros = () => Object.fromEntries(program.params.map((p) => [p.name, new Float32Array(p.size)]));
  const startParams = Object.fromEntries(program.params.map((p) => [p.name, weights.params[p.name] as Float32Array]));
  const trainer = await Trainer.create(program, {
    ...sessionOptions,
    state: { steps: 0, params: startParams, m: zeros(), v: zeros() },
  });
  /** Inputs fed unchanged every step: frozen weights, and the starting weights the L2 guard pulls towards. */
  const fixed: Record<string, Float32Array> = {
    ...Object.fromEntries(frozen.map((n) => [n, weights.params[n] as Float32Array])),
    ...Object.fromEntries(anchors.map((a) => [`anchor:${a.name}`, weights.params[a.name] as Float32Array])),
  };
  const allParams = () => ({ ...weights.params, ...trainer.parameters() });
  const het = losses.het.enabled ? new HetMemory(losses.het.top, tokenizers.mask) : null;
  if (het && spec.hetMemory) het.load(spec.hetMemory);
  const opened = await Promise.all([
    het ? openSession(predictionModel(arch, B), sessionOptions) : null,
    openSession(heldOutLossModel(arch), sessionOptions),
  ]);
  const predictor = opened[0]?.session ?? null;
  const lossSession = (opened[1] as { session: import('onnxruntime-node').InferenceSession }).session;
  const heldOutTokens = await Promise.all(spec.heldOut.map((item) => tokenize(tokenizers, arch, item)));

  const paramFeeds = (params: Record<string, Float32Array>) =>
    Object.fromEntries(names.map((n) => [n, hostTensor(params[n] as Float32Array, weights.shapes[n] as number[])]));
  const heldOutLoss = async (params: Record<string, Float32Array>) => {
    let sum = 0;
    for (const t of heldOutTokens) {
      const b = packBatch(layout, [t]);
      const out = await lossSession.run({
        image: hostTensor(b.image, [1, GRID_TOKENS, layout.imageLevels]),
        tokens: hostTensor(b.tokens, [1, layout.promptTokens + GRID_TOKENS]),
        ...(layout.priorTokens > 0 ? { prior: hostTensor(b.prior, [1, layout.priorTokens]) } : {}),
        targets: hostTensor(b.targets, [1, layout.outputs]),
        ...paramFeeds(params),
      });
      sum += Number(out.loss?.data[0]);
    }
    return sum / heldOutTokens.length;
  };

  const epochs: EpochRecord[] = [
    { epoch: 0, trainLoss: null, heldOutLoss: await heldOutLoss(weights.params), seconds: 0 },
  ];
  hooks.onProgress?.({ phase: 'epoch', ...(epochs[0] as EpochRecord) });
  let best = { epoch: 0, loss: (epochs[0] as EpochRecord).heldOutLoss, params: weights.params };
  const perEpoch = Math.ceil(spec.train.length / B);
  const total = perEpoch * settings.epochs;
  const trainStarted = performance.now();
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= settings.epochs; epoch++) {
      const epochStarted = performance.now();
      const order = shuffled(createRng(deriveSeed(settings.seed, epoch)), spec.train);
      let lossSum = 0;
      for (let s = 0; s < perEpoch; s++) {
        check();
        const step = (epoch - 1) * perEpoch + s;
        // The last batch of an epoch is topped up from its start (static batch shape).
        const chosen = Array.from({ length: B }, (_, i) => order[(s * B + i) % order.length] as FineTuneItem);
        const rows = await Promise.all(
          chosen.map((item, i) => tokenize(tokenizers, arch, item, deriveSeed(settings.seed, step * B + i))),
        );
        const ids = chosen.map((item) => item.id);
        const { batch, feeds } = stepBatch(layout, rows, ids, trainCfg, settings.seed, step, het);
        const r = await trainer.step({ ...feeds, ...fixed }, settings.lr);
        if (!Number.isFinite(r.loss)) throw new Error(`the loss became ${r.loss} at step ${r.step}; nothing was saved`);
        if (het && predictor) await recordErrors(layout, het, predictor, batch, ids, paramFeeds(allParams()));
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
      }
      check();
      const params = allParams();
      const record: EpochRecord = {
        epoch,
        trainLoss: lossSum / perEpoch,
        heldOutLoss: await heldOutLoss(params),
        seconds: (performance.now() - epochStarted) / 1000,
      };
      epochs.push(record);
      hooks.onProgress?.({ phase: 'epoch', ...record });
      if (record.heldOutLoss < best.loss) {
        best = {
          epoch,
          loss: record.heldOutLoss,
          params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float32Array.from(v)])),
        };
      } else if (epoch - best.epoch >= settings.patience) {
        stoppedEarly = epoch < settings.epochs;
        break;
      }
    }
  } finally {
    await Promise.all([
      trainer.close(),
      predictor?.release(),
      lossSession.release(),
      tokenizers.imageEncoder.release(),
    ]);
  }
  const trainSeconds = (performance.now() - trainStarted) / 1000;
  check();
  await exportModel(
    spec.outDir,
    arch,
    best.params,
    spec.modelDir,
    { fineTuned: { from: spec.modelDir, epoch: best.epoch }, steps: weights.steps, config: weights.config },
    file.decodeRule ?? 'argmax',
  );
  const afterScores = (await heldOutDice(spec.outDir, spec.heldOut, settings, sessionOptions, 'after', hooks)).answers;
  const beforeScores = before.answers;
  const mean = (xs: { dice: number }[]) => xs.reduce((a, b) => a + b.dice, 0) / xs.length;
  // The trainer's own reason when the settled provider could not run the training graph, else the first session's.
  const fallbackReason = trainer.provider.fallbackReason || before.provider.fallbackReason;
  return {
    epochs,
    bestEpoch: best.epoch,
    stoppedEarly,
    before: mean(beforeScores),
    after: mean(afterScores),
    cases: spec.heldOut.map((item, i) => ({
      id: item.id,
      caseId: item.caseId,
      text: beforeScores[i]?.text ?? '',
      before: beforeScores[i]?.dice ?? 0,
      after: afterScores[i]?.dice ?? 0,
      beforeMask: beforeScores[i]?.mask ?? '',
      afterMask: afterScores[i]?.mask ?? '',
    })),
    seconds: (performance.now() - started) / 1000,
    secondsPerEpoch: trainSeconds / Math.max(1, epochs.length - 1),
    provider: { name: trainer.provider.name, ...(fallbackReason ? { fallbackReason } : {}) },
    hetMemory: het ? het.toJSON() : {},
  };
}

// One fine-tuning round, start to end, in the thread that calls it (job-worker.ts runs it off the main
// thread): the active model's weights → held-out Dice before → a seeded part of the training cases held
// back (round-choice.ts) → epochs of fused train steps on the rest (NkTP, TCL, HET; training's
// augmentation and mask-input corruption; a model with a region part also trains on each correction
// zoomed around its box, items.ts) with a guard against forgetting, each epoch measured by the
// held-back slice's decoded Dice, which chooses the epoch and stops early (epochs.ts) → the lesion cut
// fitted on the chosen epoch's held-back answers (fitted-cut.ts) → those weights and that cut exported to
// `outDir` → held-out Dice after → the verdict: unless the new answers are clearly better than the
// parent's, `outDir` is made a byte-for-byte copy of the parent and the parent's HET memory is kept.
// Nothing outside `outDir` is written, so a crash or kill at any moment leaves every model as it was.

import type * as ort from 'onnxruntime-node';
import { FINETUNE_THUMB } from '../../shared/finetune-types';
import { packBits } from '../../shared/labelmap/bits';
import type { ExecutionProviderName } from '../../shared/segment-types';
import { GRID_TOKENS, type TokenLayout } from '../../shared/tokens';
import { hostTensor, openSession, type SessionOptions } from '../engine/session';
import { makeTrainStep } from '../engine/train-step';
import { Trainer } from '../engine/trainer';
import { type Mask, resizeNearest } from '../imaging/resample';
import { type ArchitectureConfig, DEFAULT_LOSSES, type LossConfig, layoutOf } from '../model/config';
import { copyModel, exportModel, type ModelDecoding, type ModelFile, readModelFile } from '../model-files/model-folder';
import { LESION_CUT } from '../segmenter/pipeline/segment';
import { loadTokenizers, type SampleTokens, type Tokenizers, tokenizeSample } from '../segmenter/runtime/tokenizer-set';
import { type HardError, HetMemory } from '../training/het-memory';
import { modelWeights } from '../training/model-weights';
import type { HetRecorder } from '../training/step-loop';
import { packBatch } from '../training/train-batch';
import { predictionModel } from '../training/train-graph';
import { type Chosen, type EpochProgress, type EpochRecord, type Epochs, trainEpochs } from './epochs';
import { fittedLesionCut } from './fitted-cut';
import { type Anchor, forgettingGuard, heldOutLossModel, trainableNames } from './guard';
import { type FineTuneItem, loadItem, loadZoomedItem, withZoomedItems } from './items';
import { holdBack, type Verdict, verdictOf } from './round-choice';
import { type AnswerMode, meanDice, type ScoredAnswer, type Scoring, scoreItems } from './scoring';

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
  /** Stop after this many epochs without a better decoded Dice on the held-back slice. */
  patience: number;
  seed: number;
  /** Test-time views of every answer a round scores (1: the image alone; the app's answer uses all). */
  views: number;
  /**
   * What the round's answers are, which choose its epoch and judge it: to the prompt alone, or to the
   * prompt and a box (the clinician's, else simulated). Default: 'box' for a model with a region part
   * (the model that answers the app's box and click prompts), else 'text'.
   */
  answers?: AnswerMode;
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
  /** The round's training items: a seeded part of their cases is held back to choose the epoch, the rest train. */
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
  | { phase: 'held-back'; epoch: number; done: number; total: number }
  | EpochProgress;

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
  /** The epoch the held-back slice chose (0: none beat the starting model); its weights are kept if the verdict is better. */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** The training items held back from the steps (ids). */
  heldBack: string[];
  /** The lesion cut the new version answers with (fitted on the held-back answers, or its parent's). */
  lesionCut: number;
  /** The new answers against the parent's on the held-out cases: kept only when clearly better. */
  verdict: Verdict;
  /** Mean held-out Dice of the parent and of the new version (the parent's again when it equals its parent). */
  before: number;
  after: number;
  cases: CaseScore[];
  seconds: number;
  secondsPerEpoch: number;
  /** The provider the training steps ran on, and why the requested one did not, when it did not. */
  provider: RunProvider;
  /** HET's memory for the next round: this round's, or the parent's when the version equals its parent. */
  hetMemory: Record<string, HardError[]>;
}

export interface JobHooks {
  onProgress?: (p: FineTuneProgress) => void;
  /** Polled between steps and between images. */
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

function thumbnailMask(mask: Mask): string {
  return Buffer.from(packBits(resizeNearest(mask, FINETUNE_THUMB, FINETUNE_THUMB).data)).toString('base64');
}

/** Each held-out case's text, Dice and small answer, before and after. */
function caseScores(items: readonly FineTuneItem[], before: ScoredAnswer[], after: ScoredAnswer[]): CaseScore[] {
  return items.map((item, i) => {
    const [b, a] = [before[i], after[i]] as [ScoredAnswer, ScoredAnswer];
    return {
      id: item.id,
      caseId: item.caseId,
      text: b.text,
      before: b.dice,
      after: a.dice,
      beforeMask: thumbnailMask(b.answer.mask),
      afterMask: thumbnailMask(a.answer.mask),
    };
  });
}

/** An item's tokens: the whole film and its prompt, or a zoomed item with its box and (empty) prior. */
async function tokenize(tokenizers: Tokenizers, arch: ArchitectureConfig, item: FineTuneItem, seed?: number) {
  const layout = layoutOf(arch);
  if (item.zoomed) return tokenizeSample(tokenizers, layout, await loadZoomedItem(item, seed ?? 0));
  return tokenizeSample(tokenizers, layout, await loadItem(item, seed));
}

/** The answers a round scores for the model in `file` (settings.answers, or its default); refused when it cannot give them. */
export function answerModeOf(settings: FineTuneSettings, file: ModelFile): AnswerMode {
  const regionSlots = layoutOf(file.architecture).regionSlots;
  const mode = settings.answers ?? (regionSlots > 0 ? 'box' : 'text');
  if (mode === 'box' && regionSlots === 0)
    throw new Error(
      'box answers need a model with a region part (box and click tokens), such as models/region; this model takes text only',
    );
  return mode;
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

/** The sessions a round trains and measures with, opened on the provider the first scoring settled on. */
async function openTraining(spec: FineTuneSpec, train: readonly FineTuneItem[], sessionOptions: SessionOptions) {
  const { weights, arch, losses } = await startingModel(spec);
  const tokenizers = await loadTokenizers(spec.modelDir);
  const B = Math.min(spec.settings.batch, train.length);
  const { trainer, fixed } = await guardedTrainer(weights, losses, B, spec.settings, sessionOptions);
  const het = losses.het.enabled ? new HetMemory(losses.het.top, tokenizers.mask) : null;
  if (het && spec.hetMemory) het.load(spec.hetMemory);
  const opened = await Promise.all([
    het ? openSession(predictionModel(arch, B), sessionOptions) : null,
    openSession(heldOutLossModel(arch), sessionOptions),
  ]);
  const predictor = opened[0]?.session ?? null;
  const lossSession = (opened[1] as { session: ort.InferenceSession }).session;
  const recorder: HetRecorder | null =
    het && predictor
      ? { memory: het, predictor, params: () => paramFeeds(weights, { ...weights.params, ...trainer.parameters() }) }
      : null;
  const close = () =>
    Promise.all([trainer.close(), predictor?.release(), lossSession.release(), tokenizers.imageEncoder.release()]);
  return { weights, arch, tokenizers, B, trainer, fixed, het, recorder, lossSession, close };
}

/** The held-back slice's answers under an epoch's weights, with progress. */
function heldBackScorer(spec: FineTuneSpec, items: readonly FineTuneItem[], scoring: Scoring, hooks: JobHooks) {
  return async (epoch: number, params: Record<string, Float32Array>) =>
    (
      await scoreItems(
        spec.modelDir,
        items,
        {
          ...scoring,
          answered: (done) => hooks.onProgress?.({ phase: 'held-back', epoch, done, total: items.length }),
        },
        params,
      )
    ).answers;
}

/** Trains and measures the epochs, the sessions closed whatever happens. */
async function trainRound(
  spec: FineTuneSpec,
  split: { train: FineTuneItem[]; heldBack: FineTuneItem[] },
  scoring: Scoring,
  hooks: JobHooks,
): Promise<Epochs & { weights: Weights; het: HetMemory | null; provider: RunProvider }> {
  const file = await readModelFile(spec.modelDir);
  const train = withZoomedItems(split.train, layoutOf(file.architecture).regionSlots);
  const t = await openTraining(spec, train, scoring.session);
  try {
    const layout = layoutOf(t.arch);
    const heldOutTokens = await Promise.all(spec.heldOut.map((item) => tokenize(t.tokenizers, t.arch, item)));
    const epochs = await trainEpochs(train, spec.settings, {
      trainer: t.trainer,
      weights: t.weights,
      layout,
      fixed: t.fixed,
      noise: t.weights.config?.train,
      het: t.recorder,
      row: async (item, seed) => ({ id: item.id, tokens: await tokenize(t.tokenizers, t.arch, item, seed) }),
      batch: t.B,
      heldOutLoss: heldOutLossOf(layout, t.lossSession, heldOutTokens, t.weights),
      heldBack: heldBackScorer(spec, split.heldBack, scoring, hooks),
      check: scoring.check,
      ...(hooks.onProgress ? { onProgress: hooks.onProgress } : {}),
    });
    return { ...epochs, weights: t.weights, het: t.het, provider: t.trainer.provider };
  } finally {
    await t.close();
  }
}

/** The new version's model folder: the chosen weights, with the parent's rule and `decoding` settings. */
async function exportChosen(
  spec: FineTuneSpec,
  file: ModelFile,
  weights: Weights,
  chosen: Chosen,
  decoding: ModelDecoding | undefined,
): Promise<void> {
  await exportModel(
    spec.outDir,
    weights.architecture,
    chosen.params,
    spec.modelDir,
    { fineTuned: { from: spec.modelDir, epoch: chosen.epoch }, steps: weights.steps, config: weights.config },
    file.decodeRule ?? 'argmax',
    decoding,
  );
}

export async function runFineTune(spec: FineTuneSpec, hooks: JobHooks = {}): Promise<FineTuneResult> {
  const started = performance.now();
  const { settings } = spec;
  checkSpec(spec);
  const split = holdBack(spec.train, settings.seed);
  const file = await readModelFile(spec.modelDir);
  const parentCut = file.decoding?.lesionCut ?? LESION_CUT;
  const answers = answerModeOf(settings, file);
  const threads = { threads: settings.threads ?? 1, spin: false };
  const check = () => {
    if (hooks.cancelled?.()) throw new Cancelled();
  };
  const progress = (phase: 'before' | 'after') => (done: number) =>
    hooks.onProgress?.({ phase, done, total: spec.heldOut.length });

  // The first session tries the requested providers; the run's other sessions open on the one it settled
  // on, so a missing GPU is tried (and ORT logs its failure) once per run rather than once per session.
  const before = await scoreItems(spec.modelDir, spec.heldOut, {
    views: settings.views,
    answers,
    seed: settings.seed,
    session: { ...threads, ...(spec.executionProvider ? { executionProvider: spec.executionProvider } : {}) },
    check,
    answered: progress('before'),
  });
  const scoring: Scoring = {
    views: settings.views,
    answers,
    seed: settings.seed,
    session: { ...threads, executionProvider: before.ran.provider },
    check,
  };
  const round = await trainRound(spec, split, scoring, hooks);
  check();
  const { chosen } = round;
  // Box answers keep no map to cut again (scoring.ts): the parent's cut stays.
  const lesionCut = fittedLesionCut(
    chosen.answers.map((a) => a.answer),
    chosen.answers.map((a) => a.target),
    parentCut,
  );
  // The start with the parent's cut is the parent: nothing to export or score again.
  const changed = chosen.epoch > 0 || lesionCut !== parentCut;
  // The fitted cut is written only where it beats the parent's (fittedLesionCut keeps the parent's otherwise).
  if (changed)
    await exportChosen(
      spec,
      file,
      round.weights,
      chosen,
      lesionCut === parentCut ? file.decoding : { ...file.decoding, lesionCut },
    );
  const after = changed
    ? (await scoreItems(spec.outDir, spec.heldOut, { ...scoring, answered: progress('after') })).answers
    : before.answers;
  const verdict = verdictOf(
    before.answers.map((a) => a.dice),
    after.map((a) => a.dice),
  );
  // Not clearly better: the version is its parent, file for file (over whatever the export wrote).
  if (!verdict.better) await copyModel(spec.modelDir, spec.outDir);
  const kept = verdict.better ? after : before.answers;
  // The trainer's own reason when the settled provider could not run the training graph, else the first session's.
  const fallbackReason = round.provider.fallbackReason || before.ran.fallbackReason;
  return {
    epochs: round.records,
    bestEpoch: chosen.epoch,
    stoppedEarly: round.stoppedEarly,
    heldBack: split.heldBack.map((i) => i.id),
    lesionCut: verdict.better ? lesionCut : parentCut,
    verdict,
    before: meanDice(before.answers),
    after: meanDice(kept),
    cases: caseScores(spec.heldOut, before.answers, kept),
    seconds: (performance.now() - started) / 1000,
    secondsPerEpoch: round.trainSeconds / Math.max(1, round.records.length - 1),
    provider: { name: round.provider.name, ...(fallbackReason ? { fallbackReason } : {}) },
    hetMemory: verdict.better && round.het ? round.het.toJSON() : (spec.hetMemory ?? {}),
  };
}

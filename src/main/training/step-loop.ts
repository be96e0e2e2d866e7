// The step loop base training and fine-tuning share: each step takes its batch from its epoch's seeded
// order, makes the rows (each with a seed of its own), runs one fused train step and records HET's
// errors of the batch. The caller passes in what differs: the rows, the learning rate, inputs fed
// unchanged, and what happens after a step (logging, checkpoints, evaluation, stopping).
// Batches depend only on (seed, epoch, position), so a resumed run sees what the first run would have.
import type * as ort from 'onnxruntime-node';
import type { TokenLayout } from '../../shared/tokens';
import { createRng, deriveSeed, shuffled } from '../data/rng';
import type { StepResult, Trainer } from '../engine/trainer';
import type { SampleTokens } from '../segmenter/runtime/tokenizer-set';
import type { HetMemory } from './het-memory';
import { type MaskInputNoise, recordErrors, stepBatch } from './train-batch';

/** One row of a batch: its tokens and its item id (HET's key). */
export interface StepRow {
  id: string;
  tokens: SampleTokens;
}

/** HET's memory and the teacher-forced predictor that finds the batch's errors under the current weights. */
export interface HetRecorder {
  memory: HetMemory;
  predictor: ort.InferenceSession;
  /** Every weight the predictor reads, as it is now. */
  params: () => Record<string, ort.Tensor>;
}

export interface StepInfo {
  /** 0-based: the trainer's step count before this step. */
  step: number;
  epoch: number;
  lr: number;
  /** Time to make the rows, and to train and record HET's errors. */
  dataMs: number;
  stepMs: number;
}

export interface StepLoop<T> {
  trainer: Trainer;
  layout: TokenLayout;
  /** The run's items; each epoch visits them in an order of its own. */
  items: readonly T[];
  batch: number;
  /** Steps per epoch; an epoch's last batch is topped up from the start of its order. */
  perEpoch: number;
  seed: number;
  /** The first epoch's number (0 in base training, 1 in fine-tuning): it seeds each epoch's order. */
  firstEpoch: number;
  row: (item: T, seed: number) => Promise<StepRow>;
  noise: MaskInputNoise | undefined;
  het: HetRecorder | null;
  lr: (step: number) => number;
  /** Inputs fed unchanged every step (frozen weights, anchors). */
  fixed?: Record<string, Float32Array>;
  /** Called before each step (e.g. to throw on cancellation). */
  beforeStep?: () => void;
  /** Called after each step; `true` ends the loop. */
  afterStep: (result: StepResult, info: StepInfo) => Promise<boolean | undefined> | boolean | undefined;
}

/** Runs steps from the trainer's current count until `end` or until `afterStep` says stop. */
export async function runSteps<T>(loop: StepLoop<T>, end: number): Promise<void> {
  const { trainer, layout, batch: B, perEpoch, seed } = loop;
  let orderEpoch = Number.NaN;
  let items: readonly T[] = [];
  while (trainer.steps < end) {
    loop.beforeStep?.();
    const step = trainer.steps;
    const epoch = loop.firstEpoch + Math.floor(step / perEpoch);
    if (epoch !== orderEpoch) {
      items = shuffled(createRng(deriveSeed(seed, epoch)), loop.items);
      orderEpoch = epoch;
    }
    const position = (step % perEpoch) * B;
    const chosen = Array.from({ length: B }, (_, i) => items[(position + i) % items.length] as T);
    const t0 = performance.now();
    const rows = await Promise.all(chosen.map((item, i) => loop.row(item, deriveSeed(seed, step * B + i))));
    const ids = rows.map((r) => r.id);
    const tokens = rows.map((r) => r.tokens);
    const het = loop.het;
    const { batch, feeds } = stepBatch(layout, tokens, ids, loop.noise, seed, step, het?.memory ?? null);
    const lr = loop.lr(step);
    const t1 = performance.now();
    const result = await trainer.step({ ...feeds, ...loop.fixed }, lr);
    if (het) await recordErrors(layout, het.memory, het.predictor, batch, ids, het.params());
    const t2 = performance.now();
    if (await loop.afterStep(result, { step, epoch, lr, dataMs: t1 - t0, stepMs: t2 - t1 })) return;
  }
}

// A round's epochs: fused train steps over the items not held back, and after each epoch (and before the
// first, for the starting model) two measures under the epoch's weights: head 1's teacher-forced loss on
// the held-out items, and the held-back slice decoded as the app decodes it. The decoded Dice chooses:
// the epoch with the best mean (the earliest on a tie, so an epoch must beat the start to be chosen) is
// kept, and `patience` epochs without a better one end the round.
import type { TokenLayout } from '../../shared/tokens';
import type { Trainer } from '../engine/trainer';
import type { ModelWeights } from '../training/model-weights';
import { type HetRecorder, runSteps, type StepLoop } from '../training/step-loop';
import type { MaskInputNoise } from '../training/train-batch';
import type { FineTuneItem } from './items';
import { meanDice, type ScoredAnswer } from './scoring';

type Params = Record<string, Float32Array>;

export interface EpochRecord {
  /** 1-based; epoch 0 is the starting model. */
  epoch: number;
  trainLoss: number | null;
  /** Head 1's teacher-forced cross-entropy on the held-out items (canonical, unaugmented). */
  heldOutLoss: number;
  /** Mean Dice of the held-back items decoded under this epoch's weights (segment(), `views` views): what chooses. */
  decodedDice: number;
  seconds: number;
}

/** What the epochs report as they go: each step, and each epoch's record. */
export type EpochProgress =
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

/** The settings the epochs read (FineTuneSettings'). */
interface EpochSettings {
  epochs: number;
  lr: number;
  patience: number;
  seed: number;
}

/** What the epochs run on and measure with. */
export interface EpochRun {
  trainer: Trainer;
  weights: ModelWeights;
  layout: TokenLayout;
  /** Inputs fed unchanged every step (frozen weights, the L2 guard's anchors). */
  fixed: Params;
  noise: MaskInputNoise | undefined;
  het: HetRecorder | null;
  /** A step's row: the item tokenized under training's augmentation with its seed. */
  row: StepLoop<FineTuneItem>['row'];
  batch: number;
  heldOutLoss: (params: Params) => Promise<number>;
  /** The held-back slice answered under the weights (`epoch`: for progress). */
  heldBack: (epoch: number, params: Params) => Promise<ScoredAnswer[]>;
  /** Throws when the round is cancelled. */
  check: () => void;
  onProgress?: (p: EpochProgress) => void;
}

/** The epoch chosen so far: its number, its held-back answers and its weights. */
export interface Chosen {
  epoch: number;
  answers: ScoredAnswer[];
  params: Params;
}

export interface Epochs {
  records: EpochRecord[];
  chosen: Chosen;
  /** Patience ran out before the last epoch. */
  stoppedEarly: boolean;
  trainSeconds: number;
}

/** One epoch's record and held-back answers under `params`. */
async function measure(
  run: EpochRun,
  epoch: number,
  params: Params,
  trainLoss: number | null,
  started: number,
): Promise<{ record: EpochRecord; answers: ScoredAnswer[] }> {
  run.check();
  const heldOutLoss = await run.heldOutLoss(params);
  const answers = await run.heldBack(epoch, params);
  const seconds = (performance.now() - started) / 1000;
  const record: EpochRecord = { epoch, trainLoss, heldOutLoss, decodedDice: meanDice(answers), seconds };
  run.onProgress?.({ phase: 'epoch', ...record });
  return { record, answers };
}

/** A copy of the trainer's weights (its own buffers change with the next step). */
const snapshot = (params: Params): Params =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Float32Array.from(v)]));

/** The starting model's measures, then epochs of steps, each ending with its measures and the choice. */
export async function trainEpochs(
  items: readonly FineTuneItem[],
  settings: EpochSettings,
  run: EpochRun,
): Promise<Epochs> {
  const { trainer, weights, batch } = run;
  const start = await measure(run, 0, weights.params, null, performance.now());
  const records = [start.record];
  let chosen: Chosen = { epoch: 0, answers: start.answers, params: weights.params };
  let best = start.record.decodedDice;
  const perEpoch = Math.ceil(items.length / batch);
  const total = perEpoch * settings.epochs;
  const trainStarted = performance.now();
  let epochStarted = trainStarted;
  let lossSum = 0;
  let stoppedEarly = false;

  /** Measures the epoch just ended and chooses; true: patience ran out. */
  const endOfEpoch = async (epoch: number): Promise<boolean> => {
    const params = { ...weights.params, ...trainer.parameters() };
    const { record, answers } = await measure(run, epoch, params, lossSum / perEpoch, epochStarted);
    records.push(record);
    lossSum = 0;
    epochStarted = performance.now();
    if (record.decodedDice > best) {
      best = record.decodedDice;
      chosen = { epoch, answers, params: snapshot(params) };
      return false;
    }
    stoppedEarly = epoch - chosen.epoch >= settings.patience && epoch < settings.epochs;
    return stoppedEarly;
  };

  await runSteps(
    {
      trainer,
      layout: run.layout,
      items,
      batch,
      perEpoch,
      seed: settings.seed,
      firstEpoch: 1,
      row: run.row,
      noise: run.noise,
      het: run.het,
      lr: () => settings.lr,
      fixed: run.fixed,
      beforeStep: run.check,
      afterStep: async (r, { step, epoch }) => {
        if (!Number.isFinite(r.loss)) throw new Error(`the loss became ${r.loss} at step ${r.step}; nothing was saved`);
        lossSum += r.loss;
        const elapsed = (performance.now() - trainStarted) / 1000;
        run.onProgress?.({
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
  return { records, chosen, stoppedEarly, trainSeconds: (performance.now() - trainStarted) / 1000 };
}

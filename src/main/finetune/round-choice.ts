// How a round chooses and judges what it made. A seeded part of its training cases is held back from
// the steps: the answers to those choose the epoch (and fit the lesion cut), so the choice reads the
// decoded answer, not the next-token loss. The held-out cases then judge the result against its parent:
// only a gain that is both worth having and clear of the noise between cases counts.
import { HOLD_BACK_MIN, holdBackSize, MIN_TRAIN_CASES, STEP_MIN } from '../../shared/finetune-split';
import { createRng, shuffled } from '../data/rng';

/** The smallest mean Dice gain a round counts as better (below it, a new version is not worth the switch). */
export const MIN_GAIN = 0.005;

/** How many standard errors of the paired differences the mean gain must clear. */
const STANDARD_ERRORS = 2;

export interface HeldBack<T> {
  /** What the steps train on. */
  train: T[];
  /** What chooses the epoch, never trained on. */
  heldBack: T[];
}

/**
 * Holds back holdBackSize(cases) of the training cases, chosen by a seeded shuffle (the same items and
 * seed hold back the same cases); all of a case's items stay on one side, as in the held-out split.
 */
export function holdBack<T extends { caseId: string }>(items: readonly T[], seed: number): HeldBack<T> {
  const cases = [...new Set(items.map((i) => i.caseId))];
  if (cases.length < MIN_TRAIN_CASES) {
    throw new Error(
      `only ${cases.length} training case${cases.length === 1 ? '' : 's'}: a round holds back ${HOLD_BACK_MIN} of them to choose its epoch by their answers and trains on at least ${STEP_MIN} others; give it at least ${MIN_TRAIN_CASES}`,
    );
  }
  const held = new Set(shuffled(createRng(seed), cases).slice(0, holdBackSize(cases.length)));
  return { train: items.filter((i) => !held.has(i.caseId)), heldBack: items.filter((i) => held.has(i.caseId)) };
}

/** The mean of the paired differences after − before, and its standard error (NaN under two pairs). */
export function pairedGain(
  before: readonly number[],
  after: readonly number[],
): { mean: number; standardError: number } {
  if (before.length !== after.length || before.length === 0)
    throw new Error(`paired scores need the same cases on both sides (${before.length} and ${after.length})`);
  const d = after.map((a, i) => a - (before[i] as number));
  const n = d.length;
  const mean = d.reduce((s, x) => s + x, 0) / n;
  const variance = d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return { mean, standardError: Math.sqrt(variance / n) };
}

/** `after` beats `before` case by case: mean gain ≥ MIN_GAIN and ≥ STANDARD_ERRORS standard errors. */
export function clearlyBetter(before: readonly number[], after: readonly number[]): boolean {
  const { mean, standardError } = pairedGain(before, after);
  return mean >= MIN_GAIN && mean >= STANDARD_ERRORS * standardError;
}

/** What a round's result says of itself, against its parent on the held-out cases. */
export interface Verdict {
  /** The new version answers with its own weights and cut; false: it is a copy of its parent. */
  better: boolean;
  /** The chosen weights and cut's mean held-out Dice gain over the parent, and its standard error. */
  gain: number;
  standardError: number;
  cases: number;
  text: string;
}

export const NO_IMPROVEMENT = 'no improvement: this version equals its parent';

/** The verdict on the held-out Dice of the parent (`before`) and of the round's weights and cut (`after`). */
export function verdictOf(before: readonly number[], after: readonly number[]): Verdict {
  const { mean, standardError } = pairedGain(before, after);
  const better = clearlyBetter(before, after);
  const text = better ? `better by ${mean.toFixed(3)} on ${before.length} held-out cases` : NO_IMPROVEMENT;
  return { better, gain: mean, standardError, cases: before.length, text };
}

// How a fine-tuning round splits its cases (a case is a study; all of its items stay on one side), in
// numbers main's split and the Fine-tune panel's guidance both read: at least HELD_OUT_SHARE of the
// cases, and at least HELD_OUT_MIN, are held out to measure the round before and after; the rest are the
// round's training cases, of which HOLD_BACK_SHARE (at least HOLD_BACK_MIN) are held back from the steps
// to choose the epoch by their answers, leaving at least STEP_MIN to train on.

export const HELD_OUT_SHARE = 0.2;
export const HELD_OUT_MIN = 3;
export const HOLD_BACK_SHARE = 0.25;
export const HOLD_BACK_MIN = 2;
export const STEP_MIN = 2;

/** Cases held out of `cases`: max(HELD_OUT_MIN, ⌈HELD_OUT_SHARE · cases⌉); the rest (maybe none) train. */
export function splitSizes(cases: number): { heldOut: number; train: number } {
  const heldOut = Math.max(HELD_OUT_MIN, Math.ceil(HELD_OUT_SHARE * cases));
  return { heldOut, train: Math.max(0, cases - heldOut) };
}

/** The fewest training cases a round runs on: the held-back ones and the ones its steps train on. */
export const MIN_TRAIN_CASES = HOLD_BACK_MIN + STEP_MIN;

/**
 * Training cases held back of `trainCases` (at least MIN_TRAIN_CASES): max(HOLD_BACK_MIN,
 * ⌈HOLD_BACK_SHARE · trainCases⌉), but never so many that fewer than STEP_MIN are left to train on.
 */
export function holdBackSize(trainCases: number): number {
  return Math.min(Math.max(HOLD_BACK_MIN, Math.ceil(HOLD_BACK_SHARE * trainCases)), trainCases - STEP_MIN);
}

/** The fewest cases a round runs on: the held-out ones and the fewest training cases. */
export const MIN_CASES = HELD_OUT_MIN + MIN_TRAIN_CASES;

/**
 * The fewest held-out cases whose before/after can tell a change from chance: even when every case
 * moves the same way, a sign test on n cases gives p = 2 / 2ⁿ, which is under 5 % from this n on.
 */
export const MEANINGFUL_HELD_OUT = Math.floor(Math.log2(2 / 0.05)) + 1;

/** The fewest cases whose split holds out MEANINGFUL_HELD_OUT. */
export function casesForMeaningfulHeldOut(): number {
  let cases = MIN_CASES;
  while (splitSizes(cases).heldOut < MEANINGFUL_HELD_OUT) cases++;
  return cases;
}

// What the Fine-tune panel says about a round before it starts and with its result: how many cases it
// needs and how the ticked ones split, and when the held-out cases are too few for the before/after to
// mean anything. The numbers come from the split main uses (src/shared/finetune-split.ts).
import {
  casesForMeaningfulHeldOut,
  HELD_OUT_MIN,
  HOLD_BACK_MIN,
  HOLD_BACK_SHARE,
  holdBackSize,
  MEANINGFUL_HELD_OUT,
  MIN_CASES,
  MIN_TRAIN_CASES,
  splitSizes,
} from '../../../shared/finetune-split';

export interface RoundPlan {
  /** Ticked cases (studies), and how they split. */
  cases: number;
  heldOut: number;
  train: number;
  /** Of the training cases, those held back to choose the epoch (0: too few cases for a round). */
  heldBack: number;
}

export function planOf(caseIds: readonly string[]): RoundPlan {
  const cases = new Set(caseIds).size;
  const split = splitSizes(cases);
  return { cases, ...split, heldBack: split.train >= MIN_TRAIN_CASES ? holdBackSize(split.train) : 0 };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** How many cases a round needs and how the ticked ones split. */
export function describePlan(plan: RoundPlan): string {
  const needs = `A round needs at least ${MIN_CASES} corrected cases (a case is one study): ${HELD_OUT_MIN} or more are held out to score the model before and after; of the rest, ${HOLD_BACK_SHARE * 100} % (at least ${HOLD_BACK_MIN}) are held back from training to choose the epoch by their answers, and the others train.`;
  if (plan.heldBack === 0) {
    return `${needs} Ticked: ${plural(plan.cases, 'case')}; correct and save (or tick) ${MIN_CASES - plan.cases} more.`;
  }
  return `${needs} Ticked: ${plural(plan.cases, 'case')}: ${plan.heldOut} held out, ${plan.train} to train on (${plan.heldBack} of them held back to choose the epoch).`;
}

/** Said when `heldOut` cases cannot tell a change from chance; null when they can. */
export function heldOutWarning(heldOut: number): string | null {
  if (heldOut >= MEANINGFUL_HELD_OUT) return null;
  return `${plural(heldOut, 'held-out case')} ${heldOut === 1 ? 'is' : 'are'} too few for the before/after to mean anything: even if every one scored better, chance alone could do that. From ${casesForMeaningfulHeldOut()} cases on, ${MEANINGFUL_HELD_OUT} are held out, enough to tell a real change.`;
}

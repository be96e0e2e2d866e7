import { describe, expect, it } from 'vitest';
import { HELD_OUT_MIN, holdBackSize, MEANINGFUL_HELD_OUT, MIN_CASES, splitSizes } from '../../../shared/finetune-split';
import { describePlan, heldOutWarning, planOf } from './guidance';

describe('the Fine-tune guidance', () => {
  it('counts cases, not items, and splits them as main will', () => {
    const plan = planOf(['a', 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(plan).toEqual({ cases: 8, ...splitSizes(8), heldBack: holdBackSize(splitSizes(8).train) });
    expect(plan.heldBack).toBe(2);
    // One case too few: nothing can be held back, and the plan says so.
    expect(planOf(['a', 'b', 'c', 'd', 'e', 'f']).heldBack).toBe(0);
  });

  it('says how many cases a round needs, and how many more to correct when the ticked ones are too few', () => {
    const short = describePlan(planOf(['a', 'b']));
    expect(short).toContain(`at least ${MIN_CASES} corrected cases`);
    expect(short).toContain(`${HELD_OUT_MIN} or more are held out`);
    expect(short).toContain(`Ticked: 2 cases; correct and save (or tick) ${MIN_CASES - 2} more.`);
    expect(describePlan(planOf(['a', 'b', 'c', 'd', 'e', 'f']))).toContain(
      `Ticked: 6 cases; correct and save (or tick) ${MIN_CASES - 6} more.`,
    );
    const ok = planOf(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
    expect(describePlan(ok)).toContain(
      `Ticked: 8 cases: ${ok.heldOut} held out, ${ok.train} to train on (${ok.heldBack} of them held back to choose the epoch).`,
    );
  });

  it('warns while the held-out cases are too few for the before/after to mean anything', () => {
    expect(heldOutWarning(MEANINGFUL_HELD_OUT - 1)).toMatch(/too few for the before\/after to mean anything/);
    expect(heldOutWarning(MEANINGFUL_HELD_OUT)).toBeNull();
  });
});

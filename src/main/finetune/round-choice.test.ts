import { describe, expect, it } from 'vitest';
import { HOLD_BACK_MIN, MIN_TRAIN_CASES, STEP_MIN } from '../../shared/finetune-split';
import { clearlyBetter, holdBack, MIN_GAIN, NO_IMPROVEMENT, pairedGain, verdictOf } from './round-choice';

const items = (cases: number, perCase = 1) =>
  Array.from({ length: cases * perCase }, (_, i) => ({ id: `item-${i}`, caseId: `case-${i % cases}` }));

describe('holdBack', () => {
  it('holds back a seeded quarter of the cases, at least two, and the same ones for the same seed', () => {
    const forty = holdBack(items(40), 1);
    expect(forty.heldBack).toHaveLength(10);
    expect(forty.train).toHaveLength(30);
    expect(holdBack(items(40), 1)).toEqual(forty);
    expect(holdBack(items(40), 2).heldBack).not.toEqual(forty.heldBack);
    const fewest = holdBack(items(MIN_TRAIN_CASES), 1);
    expect(fewest.heldBack).toHaveLength(HOLD_BACK_MIN);
    expect(fewest.train).toHaveLength(STEP_MIN);
    // Five cases: a quarter rounds up to two, and three train.
    expect(holdBack(items(5), 1).train).toHaveLength(3);
  });

  it("keeps a case's items on one side and every item on exactly one", () => {
    const all = items(8, 3);
    const { train, heldBack } = holdBack(all, 4);
    const heldCases = new Set(heldBack.map((i) => i.caseId));
    expect(heldCases.size).toBe(2);
    expect(train.some((i) => heldCases.has(i.caseId))).toBe(false);
    expect([...train, ...heldBack].map((i) => i.id).sort()).toEqual(all.map((i) => i.id).sort());
  });

  it('says so when there are too few training cases to hold any back', () => {
    expect(() => holdBack(items(MIN_TRAIN_CASES - 1, 4), 1)).toThrow(
      `only ${MIN_TRAIN_CASES - 1} training cases: a round holds back ${HOLD_BACK_MIN} of them to choose its epoch by their answers and trains on at least ${STEP_MIN} others; give it at least ${MIN_TRAIN_CASES}`,
    );
  });
});

describe('clearlyBetter', () => {
  it('needs the mean paired gain to reach MIN_GAIN and two standard errors', () => {
    const before = [0.5, 0.4, 0.6, 0.3];
    const steady = before.map((b) => b + 0.02);
    expect(clearlyBetter(before, steady)).toBe(true);
    // The same mean gain, but one case carries it all: under two standard errors.
    const lucky = [0.58, 0.4, 0.6, 0.3];
    expect(pairedGain(before, lucky).mean).toBeCloseTo(0.02, 12);
    expect(clearlyBetter(before, lucky)).toBe(false);
    // Every case better, but by less than is worth a new version.
    expect(
      clearlyBetter(
        before,
        before.map((b) => b + MIN_GAIN / 2),
      ),
    ).toBe(false);
    expect(clearlyBetter(before, before)).toBe(false);
    expect(
      clearlyBetter(
        before,
        before.map((b) => b - 0.02),
      ),
    ).toBe(false);
  });

  it('computes the standard error of the paired differences, and refuses unpaired scores', () => {
    const { mean, standardError } = pairedGain([0, 0, 0], [0.1, 0.2, 0.3]);
    expect(mean).toBeCloseTo(0.2, 12);
    expect(standardError).toBeCloseTo(0.1 / Math.sqrt(3), 12);
    expect(clearlyBetter([0.1], [0.9])).toBe(false);
    expect(() => pairedGain([0.1, 0.2], [0.3])).toThrow(/same cases on both sides/);
  });
});

describe('verdictOf', () => {
  it('says by how much and on how many held-out cases, or that the version equals its parent', () => {
    const before = [0.5, 0.4, 0.6, 0.3, 0.2];
    const better = verdictOf(
      before,
      before.map((b, i) => b + 0.03 + i * 0.001),
    );
    expect(better).toMatchObject({ better: true, cases: 5, text: 'better by 0.032 on 5 held-out cases' });
    expect(better.gain).toBeCloseTo(0.032, 12);
    const same = verdictOf(before, before);
    expect(same).toMatchObject({ better: false, gain: 0, cases: 5, text: NO_IMPROVEMENT });
    expect(NO_IMPROVEMENT).toBe('no improvement: this version equals its parent');
  });
});

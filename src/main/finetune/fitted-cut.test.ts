import { describe, expect, it } from 'vitest';
import type { Mask } from '../imaging/resample';
import { LESION_CUT } from '../segmenter/pipeline/segment';
import { type CuttableAnswer, diceAtCut, fittedLesionCut } from './fitted-cut';

const SIDE = 16;
/** A lesion answer whose map is `inner` on the target's square, `ring` around it and low elsewhere. */
function lesionCase(inner: number, ring: number): { answer: CuttableAnswer; target: Mask } {
  const map = new Float32Array(SIDE * SIDE);
  const target = new Uint8Array(SIDE * SIDE);
  for (let y = 0; y < SIDE; y++)
    for (let x = 0; x < SIDE; x++) {
      const d = Math.max(Math.abs(x - 7.5), Math.abs(y - 7.5));
      map[y * SIDE + x] = d < 3 ? inner : d < 5 ? ring : 0.02;
      target[y * SIDE + x] = d < 3 ? 1 : 0;
    }
  const probability = { width: SIDE, height: SIDE, data: map };
  return {
    answer: {
      reading: { chest: false },
      mask: { width: SIDE, height: SIDE, data: new Uint8Array(SIDE * SIDE) },
      threshold: 0.5,
      probability,
    },
    target: { width: SIDE, height: SIDE, data: target },
  };
}

describe('fittedLesionCut', () => {
  it('picks a cut between the ring and the lesion when the current cut takes the ring in', () => {
    const cases = [lesionCase(0.45, 0.28), lesionCase(0.42, 0.3)];
    const answers = cases.map((c) => c.answer);
    const targets = cases.map((c) => c.target);
    const cut = fittedLesionCut(answers, targets, LESION_CUT);
    expect(cut).toBeGreaterThan(0.3);
    expect(cut).toBeLessThanOrEqual(0.42);
    expect(diceAtCut(answers, targets, cut)).toEqual([1, 1]);
    expect(Math.max(...diceAtCut(answers, targets, LESION_CUT))).toBeLessThan(1);
  });

  it('keeps the current cut when no cut of the grid beats it, and leaves chest answers and argmax masks alone', () => {
    const exact = lesionCase(0.3, 0.1);
    expect(fittedLesionCut([exact.answer], [exact.target], 0.27)).toBe(0.27);
    const chest = { ...exact.answer, reading: { chest: true } };
    expect(new Set([0.1, 0.25, 0.45].map((c) => diceAtCut([chest], [exact.target], c)[0])).size).toBe(1);
    const argmax = { ...exact.answer, threshold: null, probability: null, mask: exact.target };
    expect(diceAtCut([argmax], [exact.target], 0.1)).toEqual([1]);
  });
});

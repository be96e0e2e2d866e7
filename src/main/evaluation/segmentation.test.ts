import { describe, expect, it } from 'vitest';
import { diceOf, iouOf, overlap, SegmentationScores } from './segmentation';

describe('Dice and IoU (LViT protocol)', () => {
  it('scores a hand-checked overlap: 2 shared of 3 predicted and 4 true pixels', () => {
    const o = overlap([1, 1, 1, 0, 0, 0], [1, 1, 0, 1, 1, 0]);
    expect(o).toEqual({ intersection: 2, predicted: 3, target: 4 });
    expect(diceOf(o)).toBeCloseTo(4 / 7, 12);
    expect(iouOf(o)).toBeCloseTo(2 / 5, 12);
  });

  it('thresholds probabilities at 0.5', () => {
    expect(overlap([0.49, 0.5, 0.9, 0.1], [0, 1, 1, 0])).toEqual({ intersection: 2, predicted: 2, target: 2 });
  });

  it('scores an empty prediction on an empty target as 1, and anything on an empty target otherwise as 0', () => {
    expect(diceOf(overlap([0, 0], [0, 0]))).toBe(1);
    expect(iouOf(overlap([0, 0], [0, 0]))).toBe(1);
    expect(diceOf(overlap([1, 0], [0, 0]))).toBe(0);
    expect(diceOf(overlap([0, 0], [1, 0]))).toBe(0);
  });

  it('averages per image and pools over all pixels', () => {
    const scores = new SegmentationScores();
    expect(scores.add([1, 1, 0, 0], [1, 1, 0, 0])).toEqual({
      intersection: 2,
      predicted: 2,
      target: 2,
      dice: 1,
      iou: 1,
    });
    expect(scores.add([1, 0, 0, 0], [1, 1, 1, 1])).toEqual({
      intersection: 1,
      predicted: 1,
      target: 4,
      dice: 0.4,
      iou: 0.25,
    });
    const s = scores.summary();
    expect(s.n).toBe(2);
    expect(s.dice).toBeCloseTo(0.7, 12);
    expect(s.iou).toBeCloseTo(0.625, 12);
    // pooled: intersection 3, predicted 3, target 6
    expect(s.dicePooled).toBeCloseTo(6 / 9, 12);
    expect(s.iouPooled).toBeCloseTo(3 / 6, 12);
  });

  it('refuses mismatched sizes and an empty split', () => {
    expect(() => overlap([1], [1, 0])).toThrow(/1 pixels but target has 2/);
    expect(() => new SegmentationScores().summary()).toThrow(/no images/);
  });
});

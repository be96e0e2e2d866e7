import { describe, expect, it } from 'vitest';
import { correctionClick } from './correction-clicks';

function mask(w: number, h: number, on: (x: number, y: number) => boolean) {
  return {
    width: w,
    height: h,
    data: Uint8Array.from({ length: w * h }, (_, i) => (on(i % w, Math.floor(i / w)) ? 1 : 0)),
  };
}

describe('correction clicks', () => {
  it('clicks positive at the centre of a missed target', () => {
    const target = mask(40, 40, (x, y) => x >= 10 && x < 21 && y >= 5 && y < 16);
    const empty = mask(40, 40, () => false);
    const click = correctionClick(empty, target);
    expect(click).toEqual({ x: 15.5, y: 10.5, positive: true });
  });

  it('clicks on the largest error: negative on a larger extra region, positive on a larger miss', () => {
    const target = mask(60, 60, (x, y) => x < 10 && y < 10);
    const extra = mask(60, 60, (x, y) => (x < 10 && y < 10) || (x >= 30 && x < 50 && y >= 30 && y < 50));
    const click = correctionClick(extra, target);
    expect(click?.positive).toBe(false);
    expect(click?.x).toBeGreaterThan(30);
    const half = mask(60, 60, (x, y) => x < 10 && y < 4);
    expect(correctionClick(half, target)?.positive).toBe(true);
  });

  it('says nothing when the answer is right', () => {
    const target = mask(8, 8, (x) => x < 4);
    expect(correctionClick(target, target)).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { stampDisc, stepBrushRadius, strokePath, strokeSegment } from './brush';
import { floodFill, labelComponents, removeSmallIslands } from './flood';
import { fillPolygon } from './lasso';
import { clearMask, countSet, createMask, type Mask } from './mask';

function at(mask: Mask, x: number, y: number): number {
  return mask.data[y * mask.width + x] as number;
}

function drawRect(mask: Mask, x0: number, y0: number, x1: number, y1: number): void {
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) mask.data[y * mask.width + x] = 1;
}

describe('brush', () => {
  it('stamps exactly the pixels within the radius', () => {
    const m = createMask(21, 21);
    stampDisc(m, { x: 10, y: 10 }, 3, 1);
    for (let y = 0; y < 21; y++) {
      for (let x = 0; x < 21; x++) {
        expect(at(m, x, y), `${x},${y}`).toBe((x - 10) ** 2 + (y - 10) ** 2 <= 9 ? 1 : 0);
      }
    }
    // 3² disc on the integer grid: 29 lattice points.
    expect(countSet(m)).toBe(29);
  });

  it('keeps a fast stroke continuous: every pixel on the line between far-apart events is painted', () => {
    const m = createMask(200, 50);
    strokePath(
      m,
      [
        { x: 5, y: 25 },
        { x: 190, y: 25 },
      ],
      1,
      1,
    );
    for (let x = 5; x <= 190; x++) expect(at(m, x, 25), `x=${x}`).toBe(1);
    expect(at(m, 4, 25)).toBe(1); // the round tip reaches one pixel past the end
    expect(at(m, 25, 27)).toBe(0);
  });

  it('paints a diagonal stroke with the full width along its length', () => {
    const m = createMask(100, 100);
    strokeSegment(m, { x: 10, y: 10 }, { x: 90, y: 90 }, 2, 1);
    for (let t = 10; t <= 90; t++) {
      expect(at(m, t, t)).toBe(1);
      // perpendicular distance of (t+1, t-1) from the line is √2 < 2
      expect(at(m, t + 1, t - 1)).toBe(1);
    }
    // (t+3, t-3) lies 3√2 ≈ 4.2 px off the line
    expect(at(m, 53, 47)).toBe(0);
  });

  it('erases with value 0 and reports the touched rectangle clipped to the frame', () => {
    const m = createMask(10, 10);
    m.data.fill(1);
    const rect = stampDisc(m, { x: 0, y: 0 }, 2, 0);
    expect(rect).toEqual({ x0: 0, y0: 0, x1: 2, y1: 2 });
    expect(at(m, 0, 0)).toBe(0);
    expect(at(m, 2, 0)).toBe(0);
    expect(at(m, 2, 2)).toBe(1); // 2²+2² > 2²
    expect(countSet(m)).toBe(100 - 6);
  });

  it('steps the size up and down within bounds', () => {
    expect(stepBrushRadius(10, 1)).toBe(11);
    expect(stepBrushRadius(10, -1)).toBe(9);
    expect(stepBrushRadius(0.5, -1)).toBe(0.5);
    expect(stepBrushRadius(256, 1)).toBe(256);
  });
});

describe('lasso', () => {
  it('fills the inside of a square polygon through pixel centres', () => {
    const m = createMask(20, 20);
    const rect = fillPolygon(
      m,
      [
        { x: 2, y: 3 },
        { x: 12, y: 3 },
        { x: 12, y: 9 },
        { x: 2, y: 9 },
      ],
      1,
    );
    // Pixel centres x+0.5 in (2, 12) → x = 2..11; y+0.5 in (3, 9) → y = 3..8.
    expect(rect).toEqual({ x0: 2, y0: 3, x1: 11, y1: 8 });
    expect(countSet(m)).toBe(10 * 6);
  });

  it('leaves a concave notch empty and erases with value 0', () => {
    const m = createMask(20, 20);
    const u = [
      { x: 0, y: 0 },
      { x: 15, y: 0 },
      { x: 15, y: 15 },
      { x: 10, y: 15 },
      { x: 10, y: 5 },
      { x: 5, y: 5 },
      { x: 5, y: 15 },
      { x: 0, y: 15 },
    ];
    fillPolygon(m, u, 1);
    expect(at(m, 7, 10)).toBe(0);
    expect(at(m, 2, 10)).toBe(1);
    expect(at(m, 12, 10)).toBe(1);
    expect(countSet(m)).toBe(15 * 15 - 5 * 10);
    fillPolygon(
      m,
      [
        { x: 0, y: 0 },
        { x: 20, y: 0 },
        { x: 20, y: 20 },
        { x: 0, y: 20 },
      ],
      0,
    );
    expect(countSet(m)).toBe(0);
  });

  it('ignores a degenerate polygon', () => {
    const m = createMask(5, 5);
    fillPolygon(
      m,
      [
        { x: 0, y: 0 },
        { x: 4, y: 4 },
      ],
      1,
    );
    expect(countSet(m)).toBe(0);
  });
});

describe('flood fill', () => {
  it('fills the inside of a closed outline and stops at it', () => {
    const m = createMask(12, 12);
    drawRect(m, 2, 2, 9, 2);
    drawRect(m, 2, 9, 9, 9);
    drawRect(m, 2, 2, 2, 9);
    drawRect(m, 9, 2, 9, 9);
    floodFill(m, 5, 5, 1);
    expect(countSet(m)).toBe(8 * 8);
    expect(at(m, 1, 1)).toBe(0);
  });

  it('leaks through a one-pixel gap only 4-connected, not diagonally', () => {
    const m = createMask(6, 6);
    // a diagonal wall from (0,5) to (5,0): 4-connected fill from the top-left must not cross it
    for (let i = 0; i < 6; i++) m.data[(5 - i) * 6 + i] = 1;
    floodFill(m, 0, 0, 1);
    expect(countSet(m)).toBe(6 + 15);
    expect(at(m, 5, 5)).toBe(0);
  });

  it('removes a blob when filling foreground with 0', () => {
    const m = createMask(10, 10);
    drawRect(m, 1, 1, 3, 3);
    drawRect(m, 6, 6, 8, 8);
    floodFill(m, 2, 2, 0);
    expect(countSet(m)).toBe(9);
    expect(at(m, 7, 7)).toBe(1);
  });
});

describe('islands', () => {
  it('labels 8-connected components', () => {
    const m = createMask(10, 10);
    drawRect(m, 0, 0, 1, 1);
    m.data[2 * 10 + 2] = 1; // touches the square diagonally
    drawRect(m, 5, 5, 9, 9);
    const { sizes } = labelComponents(m);
    expect(sizes.slice(1).sort((a, b) => a - b)).toEqual([5, 25]);
  });

  it('removes islands smaller than the threshold and keeps the rest', () => {
    const m = createMask(20, 20);
    drawRect(m, 0, 0, 9, 9);
    drawRect(m, 15, 15, 16, 16);
    m.data[12 * 20 + 3] = 1;
    expect(removeSmallIslands(m, 5)).toBe(5);
    expect(countSet(m)).toBe(100);
    expect(at(m, 15, 15)).toBe(0);
  });

  it('clear empties the frame', () => {
    const m = createMask(4, 4);
    m.data.fill(1);
    clearMask(m);
    expect(countSet(m)).toBe(0);
  });
});

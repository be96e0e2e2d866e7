import { describe, expect, it } from 'vitest';
import { cellBox, cellWindow, REGION_MARGIN } from './film-region';

describe('cellWindow', () => {
  it('covers the ninth grown by the margin, by pixel centres', () => {
    const rows = (m: { width: number; data: Uint8Array }) =>
      Array.from({ length: m.data.length / m.width }, (_, y) =>
        Array.from(m.data.subarray(y * m.width, (y + 1) * m.width)).join(''),
      );
    expect(rows(cellWindow({ row: 2, column: 0 }, 6, 6, 0))).toEqual([
      '000000',
      '000000',
      '000000',
      '000000',
      '110000',
      '110000',
    ]);
    // A sixth of the side past a ninth of a 6-pixel film: one more pixel each way.
    expect(rows(cellWindow({ row: 1, column: 1 }, 6, 6, 1 / 6))).toEqual([
      '000000',
      '011110',
      '011110',
      '011110',
      '011110',
      '000000',
    ]);
    const whole = cellWindow({ row: 0, column: 2 }, 300, 200);
    const on = whole.data.reduce((a, b) => a + b, 0);
    expect(on).toBe(Math.round(300 * (1 / 3 + REGION_MARGIN)) * Math.round(200 * (1 / 3 + REGION_MARGIN)));
  });
});

describe('cellBox', () => {
  it('holds exactly the pixels whose centres lie in the ninth grown by the margin', () => {
    for (const [width, height] of [
      [6, 6],
      [7, 11],
      [40, 23],
      [324, 512],
    ] as const)
      for (const margin of [0, 0.1, 1 / 6, 0.15])
        for (const row of [0, 1, 2] as const)
          for (const column of [0, 1, 2] as const) {
            const inside = (i: number, n: number, third: number) =>
              (i + 0.5) / n >= third / 3 - margin && (i + 0.5) / n <= (third + 1) / 3 + margin;
            const xs = Array.from({ length: width }, (_, x) => x).filter((x) => inside(x, width, column));
            const ys = Array.from({ length: height }, (_, y) => y).filter((y) => inside(y, height, row));
            expect(cellBox({ row, column }, width, height, margin)).toEqual({
              x: xs[0],
              y: ys[0],
              width: xs.length,
              height: ys.length,
            });
          }
  });
});

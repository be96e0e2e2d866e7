import { describe, expect, it } from 'vitest';
import type { Plane } from '../../imaging/resample';
import { IDENTITY_VIEW, mapBack, meanMap, TEST_TIME_VIEWS, type View, viewImage } from './test-time-views';

const S = 256;
/** A soft disc (1 inside radius r, falling to 0 over 4 pixels) centred at (cx, cy). */
function disc(cx: number, cy: number, r: number): Plane<Float32Array> {
  const data = new Float32Array(S * S);
  for (let y = 0; y < S; y++)
    for (let x = 0; x < S; x++) data[y * S + x] = Math.min(1, Math.max(0, (r + 4 - Math.hypot(x - cx, y - cy)) / 4));
  return { width: S, height: S, data };
}
const view = (shiftX: number, shiftY: number, scale = 1, gamma = 1): View => ({
  affine: { scale, shiftX, shiftY },
  gamma,
});
const maxError = (a: Plane<Float32Array>, b: Plane<Float32Array>) =>
  a.data.reduce((m, v, i) => Math.max(m, Math.abs(v - (b.data[i] as number))), 0);

describe('test-time views', () => {
  it('leave the identity view untouched and start the default list with it', () => {
    const image = disc(100, 120, 20);
    expect(viewImage(image, IDENTITY_VIEW)).toBe(image);
    expect(TEST_TIME_VIEWS[0]).toEqual(IDENTITY_VIEW);
  });

  it('shift the image as training augmentation does: content moves by +shift', () => {
    const moved = viewImage(disc(100, 120, 4), view(8, -8));
    expect(moved.data[112 * S + 108]).toBeCloseTo(1, 5); // the centre, moved
    expect(moved.data[120 * S + 100]).toBeCloseTo(0, 5); // the old centre is now outside the disc
  });

  it('apply gamma to the intensities', () => {
    const image = { width: 2, height: 1, data: Float32Array.of(0.25, 1) };
    expect(Array.from(viewImage(image, view(0, 0, 1, 0.5)).data)).toEqual([0.5, 1]);
  });

  it.each([
    [8, 8, 1],
    [-8, 5, 1],
    [0, 0, 1.06],
    [6, -4, 0.94],
  ])('map a view-frame map back onto the input frame (shift %d,%d scale %d)', (dx, dy, scale) => {
    const input = disc(128, 110, 30);
    const v = view(dx, dy, scale);
    // What a perfect model answers on the view's image is the view of the input's answer.
    const back = mapBack(viewImage(input, v), v);
    expect(maxError(back, input)).toBeLessThan(0.1); // two bilinear resamplings of a 4-pixel edge
    // Without mapping back it is off by the shift/scale.
    expect(maxError(viewImage(input, v), input)).toBeGreaterThan(0.2);
  });

  it('mirror the image left to right and back, gamma included', () => {
    const input = disc(60, 110, 10);
    const v: View = { ...view(0, 0, 1, 2), mirror: true };
    const seen = viewImage(input, v);
    expect(seen.data[110 * S + (S - 1 - 60)]).toBeCloseTo(1, 5); // the disc now sits on the other side
    expect(seen.data[110 * S + 60]).toBe(0);
    expect(seen.data[110 * S + (S - 1 - 60) + 12]).toBeCloseTo((input.data[110 * S + 48] as number) ** 2, 6);
    expect(Array.from(mapBack(viewImage(input, { ...v, gamma: 1 }), v).data)).toEqual(Array.from(input.data));
  });

  it('average maps pixel by pixel and refuse mismatched or missing ones', () => {
    const a = { width: 2, height: 1, data: Float32Array.of(0, 1) };
    const b = { width: 2, height: 1, data: Float32Array.of(0.5, 0.5) };
    expect(Array.from(meanMap([a, b]).data)).toEqual([0.25, 0.75]);
    expect(() => meanMap([])).toThrow(/at least one/);
    expect(() => meanMap([a, { width: 1, height: 2, data: Float32Array.of(0, 0) }])).toThrow(/differ/);
  });
});

import { describe, expect, it } from 'vitest';
import { lesionVisibility, ringAround } from './lesion-visibility';

const SIDE = 8;
const plane = (f: (x: number, y: number) => number) => ({
  width: SIDE,
  height: SIDE,
  data: Float32Array.from({ length: SIDE * SIDE }, (_, i) => f(i % SIDE, Math.floor(i / SIDE))),
});
/** A 2x2 lesion at (3..4, 3..4). */
const inLesion = (x: number, y: number) => x >= 3 && x <= 4 && y >= 3 && y <= 4;
const lesion = { width: SIDE, height: SIDE, data: Uint8Array.from(plane((x, y) => (inLesion(x, y) ? 1 : 0)).data) };

describe('ringAround', () => {
  it('is the square band of the given radius around the mask, the mask left out', () => {
    const ring = ringAround(lesion, 1);
    // A 4x4 square (2..5) less the 2x2 lesion.
    expect(ring.reduce((s, v) => s + v, 0)).toBe(12);
    expect(ring[2 * SIDE + 2]).toBe(1);
    expect(ring[3 * SIDE + 3]).toBe(0);
    expect(ring[1 * SIDE + 1]).toBe(0);
  });

  it('stops at the image border', () => {
    const corner = { width: SIDE, height: SIDE, data: new Uint8Array(SIDE * SIDE) };
    corner.data[0] = 1;
    expect(ringAround(corner, 2).reduce((s, v) => s + v, 0)).toBe(8);
  });
});

describe('lesionVisibility', () => {
  const film = plane((x, y) => (inLesion(x, y) ? 1 : 0.2));

  it('keeps everything when the reconstruction is the image', () => {
    const textured = plane((x, y) => (inLesion(x, y) ? 0.8 + 0.05 * x + 0.02 * y : 0.2));
    const v = lesionVisibility(textured, textured, lesion, 1);
    expect(v?.psnr).toBe(Number.POSITIVE_INFINITY);
    expect(v?.reconstructedContrast).toBeCloseTo(v?.contrast as number, 12);
    expect(v?.correlation).toBeCloseTo(1, 12);
  });

  it('measures a lesion drawn at half its contrast (hand-checked)', () => {
    const faded = plane((x, y) => (inLesion(x, y) ? 0.6 : 0.2));
    const v = lesionVisibility(film, faded, lesion, 1);
    expect(v?.contrast).toBeCloseTo(0.8, 6);
    expect(v?.reconstructedContrast).toBeCloseTo(0.4, 6);
    // Every lesion pixel off by 0.4: MSE 0.16.
    expect(v?.psnr).toBeCloseTo(-10 * Math.log10(0.16), 5);
    // A flat lesion has no texture to correlate.
    expect(v?.correlation).toBe(0);
  });

  it('sees a lesion the reconstruction has lost', () => {
    const v = lesionVisibility(
      film,
      plane(() => 0.2),
      lesion,
      1,
    );
    expect(v?.reconstructedContrast).toBe(0);
    expect(v?.contrast).toBeGreaterThan(0.5);
  });

  it('is null with nothing to measure, and refuses planes of different sizes', () => {
    const empty = { width: SIDE, height: SIDE, data: new Uint8Array(SIDE * SIDE) };
    expect(lesionVisibility(film, film, empty)).toBeNull();
    const everything = { width: SIDE, height: SIDE, data: new Uint8Array(SIDE * SIDE).fill(1) };
    expect(lesionVisibility(film, film, everything)).toBeNull();
    const small = { width: 2, height: 2, data: new Float32Array(4) };
    expect(() => lesionVisibility(small, film, lesion)).toThrow(/same size/);
  });
});

import { describe, expect, it } from 'vitest';
import { drawAffine, jitterIntensity, warpImage, warpMask } from './augment';
import { createRng } from './rng';
import { blankMask, fillRect } from './test-masks';

const identity = { angleRad: 0, scale: 1, shiftX: 0, shiftY: 0 };

function ramp(size: number) {
  const data = new Float32Array(size * size);
  for (let i = 0; i < data.length; i++) data[i] = (i % size) / (size - 1);
  return { width: size, height: size, data };
}

describe('augmentation', () => {
  it('leaves image and mask unchanged under the identity affine', () => {
    const image = ramp(32);
    const mask = fillRect(blankMask(32, 32), 4, 4, 12, 20);
    expect(Array.from(warpImage(image, identity).data)).toEqual(Array.from(image.data));
    expect(warpMask(mask, identity).data).toEqual(mask.data);
  });

  it('moves image and mask together: a shift by 3 columns moves the rectangle by 3', () => {
    const mask = fillRect(blankMask(32, 32), 4, 4, 12, 20);
    const shifted = warpMask(mask, { ...identity, shiftX: 3 });
    expect(shifted.data[10 * 32 + 15]).toBe(1);
    expect(shifted.data[10 * 32 + 5]).toBe(0);
    expect(shifted.data[10 * 32 + 7]).toBe(1);
  });

  it('is deterministic under a seed, keeps masks binary and intensities in [0, 1]', () => {
    const a = drawAffine(createRng(3), 64, 64);
    expect(drawAffine(createRng(3), 64, 64)).toEqual(a);
    expect(drawAffine(createRng(4), 64, 64)).not.toEqual(a);
    const mask = warpMask(fillRect(blankMask(64, 64), 10, 10, 40, 50), a);
    expect(new Set(mask.data)).toEqual(new Set([0, 1]));
    const jittered = jitterIntensity(ramp(64), createRng(3));
    expect(Math.min(...jittered.data)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...jittered.data)).toBeLessThanOrEqual(1);
    expect(jitterIntensity(ramp(64), createRng(3)).data).toEqual(jittered.data);
  });
});

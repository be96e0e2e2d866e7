import { describe, expect, it } from 'vitest';
import { psnr } from '../evaluation/psnr';
import type { Plane } from '../imaging/resample';
import { ImageCodebook } from './image-codebook';
import { learnImageCodebook } from './image-codebook-learning';
import { imageToPatches, patchesToImage } from './image-patches';

/** A smooth synthetic "radiograph": a horizontal ramp times a vertical bump, shifted by `phase`. */
function synthetic(phase: number): Plane<Float32Array> {
  const data = new Float32Array(256 * 256);
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++)
      data[y * 256 + x] = 0.5 + 0.4 * Math.sin((x + phase) / 23) * Math.cos((y - phase) / 31);
  }
  return { width: 256, height: 256, data };
}

function patchesOf(images: Plane<Float32Array>[]): Float32Array {
  const out = new Float32Array(images.length * 256 * 256);
  images.forEach((im, i) => {
    out.set(imageToPatches(im), i * 256 * 256);
  });
  return out;
}

describe('image codebook', () => {
  it('cuts an image into patches and back without loss', () => {
    const image = synthetic(3);
    expect(patchesToImage(imageToPatches(image)).data).toEqual(image.data);
  });

  it('reconstructs a flat image exactly from a codebook learned on it', () => {
    const flat = { width: 256, height: 256, data: new Float32Array(256 * 256).fill(0.25) };
    const codebook = learnImageCodebook(patchesOf([flat]), { levels: 1, size: 4, iterations: 2, seed: 1 });
    const back = codebook.decode(codebook.encode(flat));
    expect(psnr(flat.data, back.data)).toBeGreaterThan(60);
  });

  it('gets closer with every residual level on an unseen image', () => {
    const codebook = learnImageCodebook(patchesOf([0, 7, 19, 40].map(synthetic)), {
      levels: 3,
      size: 32,
      iterations: 4,
      seed: 2,
    });
    const unseen = synthetic(11);
    const tokens = codebook.encode(unseen);
    expect(tokens.length).toBe(3 * 256);
    const scores = [1, 2, 3].map((levels) => psnr(unseen.data, codebook.decode(tokens, levels).data));
    expect(scores[1]).toBeGreaterThan(scores[0] as number);
    expect(scores[2]).toBeGreaterThan(scores[1] as number);
    expect(scores[0]).toBeGreaterThan(20);
  });

  it('serializes and parses to the same codebook, and refuses other files', () => {
    const codebook = learnImageCodebook(patchesOf([synthetic(0)]), { levels: 2, size: 8, iterations: 1, seed: 3 });
    const parsed = ImageCodebook.parse(codebook.serialize());
    expect([parsed.levels, parsed.size]).toEqual([2, 8]);
    expect(parsed.centroids).toEqual(codebook.centroids);
    expect(() => ImageCodebook.parse(Buffer.from('NMMK0000'))).toThrow(/not a NextMask image codebook/);
    expect(() => codebook.decode(new Uint16Array(2 * 256).fill(8))).toThrow(/not in the codebook/);
  });

  it('needs at least K training patches', () => {
    expect(() => learnImageCodebook(new Float32Array(256 * 3), { levels: 1, size: 4, iterations: 1, seed: 1 })).toThrow(
      /at least 4 patches/,
    );
  });
});

describe('psnr', () => {
  it('is 20 dB for an error of 0.1 everywhere', () => {
    expect(psnr([0.5, 0.5], [0.6, 0.4])).toBeCloseTo(20, 10);
    expect(psnr([0.5], [0.5])).toBe(Number.POSITIVE_INFINITY);
    expect(() => psnr([1], [1, 2])).toThrow(/same non-zero size/);
  });
});

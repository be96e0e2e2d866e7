import { describe, expect, it } from 'vitest';
import { hostTensor, openSession } from '../engine/session';
import type { Plane } from '../imaging/resample';
import { learnImageCodebook } from './image-codebook-learning';
import { imageEncoderOnnx } from './image-encoder-onnx';
import { imageToPatches } from './image-patches';

function synthetic(phase: number): Plane<Float32Array> {
  const data = new Float32Array(256 * 256);
  for (let y = 0; y < 256; y++) {
    for (let x = 0; x < 256; x++)
      data[y * 256 + x] = 0.5 + 0.4 * Math.sin((x + phase) / 17) * Math.cos((y * phase) / 300);
  }
  return { width: 256, height: 256, data };
}

describe('image encoder as ONNX', () => {
  it('gives the same tokens as the TypeScript encoder', async () => {
    const training = new Float32Array(3 * 256 * 256);
    [1, 5, 9].forEach((p, i) => {
      training.set(imageToPatches(synthetic(p)), i * 256 * 256);
    });
    const codebook = learnImageCodebook(training, { levels: 2, size: 16, iterations: 3, seed: 4 });
    const { session } = await openSession(imageEncoderOnnx(codebook));
    const image = synthetic(7);
    const out = await session.run({ image: hostTensor(image.data, [256, 256]) });
    const tokens = out.tokens;
    expect(tokens?.dims).toEqual([2, 256]);
    const onnx = Array.from(tokens?.data as BigInt64Array, Number);
    const reference = Array.from(codebook.encode(image));
    // Float summation order may differ; a near-tie could flip a token, so allow at most a few.
    const same = onnx.filter((t, i) => t === reference[i]).length;
    expect(same).toBeGreaterThanOrEqual(reference.length - 3);
    expect(new Set(onnx).size).toBeGreaterThan(4);
  });
});

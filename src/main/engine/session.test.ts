import { describe, expect, it } from 'vitest';
import { learnImageCodebook } from '../tokenizers/image-codebook-learning';
import { imageEncoderOnnx } from '../tokenizers/image-encoder-onnx';
import { openSession } from './session';

// Any small graph will do: the image encoder of a 4-code codebook learned from noise.
const noise = Float32Array.from({ length: 256 * 256 }, (_, i) => ((i * 2654435761) % 1000) / 1000);
const model = () => imageEncoderOnnx(learnImageCodebook(noise, { levels: 1, size: 4, iterations: 1, seed: 1 }));

describe('openSession providers', () => {
  it('tries the providers in order and ends on the CPU, giving every reason in that order', async () => {
    // Neither provider exists on this machine: no CUDA libraries, no WebGPU adapter.
    const opened = await openSession(model(), { executionProvider: ['webgpu', 'cuda'] });
    expect(opened.provider).toBe('cpu');
    expect(opened.fallbackReason).toMatch(/^webgpu unavailable: .*; cuda unavailable: /s);
    await opened.session.release();
  });

  it('opens a CPU request on the CPU with nothing to explain', async () => {
    const opened = await openSession(model(), { executionProvider: 'cpu' });
    expect(opened).toMatchObject({ provider: 'cpu' });
    expect(opened.fallbackReason).toBeUndefined();
    await opened.session.release();
  });
});

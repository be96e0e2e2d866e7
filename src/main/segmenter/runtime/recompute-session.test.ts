import { describe, expect, it } from 'vitest';
import { allowedOutput, GRID_TOKENS } from '../../../shared/tokens';
import { type ArchitectureConfig, layoutOf } from '../../model/config';
import { decodeStepModel, prefillModel } from '../../model/inference';
import { randomParams, TINY_DECODER_ARCH } from '../../testing/tiny-model';
import { KvDecoderSession, openDecoderModels, promptIds } from './decoder-session';
import { greedyDecode, type HeadLogits, speculativeDecode } from './decoding';
import { RecomputeDecoderSession } from './recompute-session';

const arch: ArchitectureConfig = TINY_DECODER_ARCH;
const layout = layoutOf(arch);
const imageTokens = Array.from({ length: 2 * GRID_TOKENS }, (_, i) => (i * 7 + (i >> 5)) % 5);
const prompt = promptIds(layout, imageTokens, [3, 5, 2]);
const options = { steps: layout.outputs, allowed: (i: number) => allowedOutput(layout, i) };

async function models(seed: number) {
  // Scaled-up random weights, so the untrained model's choices vary from step to step.
  const params = randomParams(arch, seed, 20);
  return openDecoderModels(arch, { prefill: prefillModel(arch, params), decode: decodeStepModel(arch, params) });
}

describe('RecomputeDecoderSession', () => {
  it('greedy and speculative decoding over full recomputes give the KV-cached greedy tokens', async () => {
    const m = await models(3);
    const cached = await greedyDecode(new KvDecoderSession(m), prompt, options);
    const recomputed = await greedyDecode(new RecomputeDecoderSession(m), prompt, options);
    const speculative = await speculativeDecode(new RecomputeDecoderSession(m), prompt, options);
    expect(new Set(cached.tokens.subarray(0, GRID_TOKENS)).size).toBeGreaterThan(1);
    expect(Array.from(recomputed.tokens)).toEqual(Array.from(cached.tokens));
    expect(Array.from(speculative.tokens)).toEqual(Array.from(cached.tokens));
    expect(recomputed.forwardPasses).toBe(layout.outputs);
  }, 60_000);

  it('returns the new positions of a full recompute, forgets truncated tokens and counts length like the cache', async () => {
    const m = await models(5);
    const kv = new KvDecoderSession(m);
    const re = new RecomputeDecoderSession(m);
    expect(re.length).toBe(0);
    await kv.extend(prompt);
    await re.extend(prompt);
    const three = Int32Array.of(1, 2, 3);
    expectSameLogits(await re.extend(three), await kv.extend(three));
    expect(re.length).toBe(kv.length);
    kv.truncate(layout.prefix + 1);
    re.truncate(layout.prefix + 1);
    expectSameLogits(await re.extend(Int32Array.of(4)), await kv.extend(Int32Array.of(4)));
    expect(re.length).toBe(layout.prefix + 2);
    expect(() => re.truncate(layout.prefix - 1)).toThrow(/into the prompt/);
    await expect(re.extend(Int32Array.of(layout.eos + 1))).rejects.toThrow(/not a mask code/);
    expect(re.length).toBe(layout.prefix + 2);
  }, 60_000);
});

/** Same positions and logits up to float32 summation order (relative to their scale). */
function expectSameLogits(actual: HeadLogits, expected: HeadLogits): void {
  expect(actual.positions).toBe(expected.positions);
  expect(actual.data.length).toBe(expected.data.length);
  let worst = 0;
  let scale = 0;
  expected.data.forEach((e, i) => {
    worst = Math.max(worst, Math.abs((actual.data[i] as number) - e));
    scale = Math.max(scale, Math.abs(e));
  });
  expect(scale).toBeGreaterThan(1);
  expect(worst / scale).toBeLessThan(1e-5);
}

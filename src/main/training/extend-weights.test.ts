import { describe, expect, it } from 'vitest';
import { makeTrainStep } from '../engine/train-step';
import { type ArchitectureConfig, DEFAULT_LOSSES, layoutOf } from '../model/config';
import { randomParams, TINY_DECODER_ARCH } from '../testing/tiny-model';
import { extendWeights, startingWeights } from './extend-weights';
import { modelBatch, modelLoss } from './train-graph';

const text: ArchitectureConfig = TINY_DECODER_ARCH;
const region: ArchitectureConfig = { ...text, tokens: { ...text.tokens, regionBins: 4, regionClicks: 2 } };
const specs = makeTrainStep({
  batch: modelBatch(region, DEFAULT_LOSSES, 1),
  loss: modelLoss(region, DEFAULT_LOSSES),
}).params;

describe('extending a trained model with a region part', () => {
  const old = randomParams(text, 4);
  const from = layoutOf(text);
  const to = layoutOf(region);
  const D = text.width;
  const out = extendWeights(old, specs, from, to, D, 1);

  it('copies every shared weight and keeps the old rows of both tables', () => {
    for (const [name, values] of Object.entries(old)) {
      if (name === 'embed.tokens' || name === 'embed.positions')
        expect(Array.from((out[name] as Float32Array).subarray(0, values.length))).toEqual(Array.from(values));
      else expect(Array.from(out[name] as Float32Array)).toEqual(Array.from(values));
    }
    expect(out['embed.tokens']?.length).toBe(to.vocab * D);
  });

  it('starts a coordinate row at its grid position row, NONE and the prior at zero', () => {
    const tokens = out['embed.tokens'] as Float32Array;
    const positions = old['embed.positions'] as Float32Array;
    const row = (t: Float32Array, r: number) => Array.from(t.subarray(r * D, (r + 1) * D));
    expect(row(tokens, to.regionOffset).every((v) => v === 0)).toBe(true);
    expect(Array.from(out['embed.prior'] as Float32Array).every((v) => v === 0)).toBe(true);
    // Box x bins 0 and 1 both fall in image column 0..3 of 16 (4 bins): rows differ from it by the same role vector.
    const bin = (block: number, b: number) => row(tokens, to.regionOffset + 1 + block * 4 + b);
    const column = (c: number) => row(positions, 16 + c);
    const roleA = bin(0, 0).map((v, d) => v - (column(0)[d] as number));
    const roleB = bin(0, 1).map((v, d) => v - (column(4)[d] as number));
    for (const [d, v] of roleA.entries()) expect(v).toBeCloseTo(roleB[d] as number, 6);
    expect(Math.max(...roleA.map(Math.abs))).toBeGreaterThan(0);
  });

  it('refuses to extend a model that already has a region part', () => {
    expect(() => extendWeights(out, specs, to, to, D, 1)).toThrow(/already has a region part/);
  });

  it('starts a run from a region model as it is, and extends a text model', () => {
    const again = startingWeights(out, specs, to, to, D, 1);
    for (const [name, values] of Object.entries(out))
      expect(Array.from(again[name] as Float32Array)).toEqual(Array.from(values));
    expect(again['embed.tokens']).not.toBe(out['embed.tokens']);
    expect(startingWeights(old, specs, from, to, D, 1)['embed.tokens']?.length).toBe(to.vocab * D);
    const smaller = { ...out, 'embed.prior': new Float32Array(1) };
    expect(() => startingWeights(smaller, specs, to, to, D, 1)).toThrow(/embed.prior differs in size/);
  });
});

import { describe, expect, it } from 'vitest';
import { gradCheck } from './gradcheck';
import { makeTrainStep } from './train-step';
import { Trainer } from './trainer';
import { crossEntropy, type DecoderConfig, decoderBatch, decoderLogits, decoderLoss } from './transformer';

const tiny: DecoderConfig = { vocab: 7, width: 8, heads: 2, layers: 2, maxSeq: 4 };

describe('decoder transformer', () => {
  it('2-layer decoder with cross-entropy passes a float64 gradient check on every parameter', async () => {
    const r = await gradCheck(
      (g, [tokens, targets, weights]) => {
        const positions = g.constant([0, 1, 2, 3], [4], 'int64');
        const logits = decoderLogits(g, tiny, tokens!, positions);
        return crossEntropy(g, logits, targets!, weights!).loss;
      },
      [
        { shape: [2, 4], dtype: 'int64', values: [1, 5, 2, 2, 6, 0, 3, 1] },
        { shape: [2, 4], dtype: 'int64', values: [5, 2, 2, 4, 0, 3, 1, 6] },
        { shape: [2, 4], dtype: 'float64', values: [1, 1, 1, 0, 1, 1, 1, 1] },
      ],
      { paramScale: 0.3 },
    );
    // weights are an input too; skip it (index 0) and require every parameter to be exercised.
    const params = r.numeric.slice(1);
    expect(params.length).toBeGreaterThan(20);
    for (const n of params) expect(Math.max(...Array.from(n, Math.abs))).toBeGreaterThan(1e-6);
    expect(r.worst).toBeLessThanOrEqual(1);
  }, 120_000);

  it('overfits a small batch: loss falls by more than 90%', async () => {
    const cfg: DecoderConfig = { vocab: 16, width: 32, heads: 4, layers: 2, maxSeq: 8 };
    const program = makeTrainStep({
      batch: decoderBatch(2, 8),
      loss: decoderLoss(cfg, 8),
      optimizer: { weightDecay: 0 },
    });
    const trainer = await Trainer.create(program, { seed: 3 });
    const tokens = BigInt64Array.from([1, 4, 9, 3, 3, 12, 7, 0, 5, 5, 2, 14, 8, 1, 6, 11], BigInt);
    const targets = BigInt64Array.from([4, 9, 3, 3, 12, 7, 0, 2, 5, 2, 14, 8, 1, 6, 11, 13], BigInt);
    const batch = { tokens, targets, weights: new Float32Array(16).fill(1) };
    const first = await trainer.step(batch, 1e-2);
    let last = first;
    for (let i = 0; i < 60; i++) last = await trainer.step(batch, 1e-2);
    await trainer.close();
    expect(first.loss).toBeGreaterThan(2); // ≈ ln 16 at initialisation
    expect(last.loss).toBeLessThan(0.1 * first.loss);
    expect(last.metrics.accuracy).toBe(1);
    expect(trainer.steps).toBe(61);
  }, 60_000);
});

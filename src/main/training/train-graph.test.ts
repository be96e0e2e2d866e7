import { describe, expect, it } from 'vitest';
import { GRID_TOKENS } from '../../shared/tokens';
import { hostTensor, openSession } from '../engine/session';
import { makeTrainStep } from '../engine/train-step';
import { Trainer } from '../engine/trainer';
import { type ArchitectureConfig, DEFAULT_LOSSES, layoutOf } from '../model/config';
import { modelBatch, modelLoss, predictionModel } from './train-graph';

const arch: ArchitectureConfig = {
  width: 16,
  heads: 2,
  layers: 1,
  predictHeads: 2,
  tokens: { maskCodes: 4, imageLevels: 2, imageCodes: 3, textVocab: 5, maxText: 3 },
};
const layout = layoutOf(arch);
const losses = { ...DEFAULT_LOSSES, het: { ...DEFAULT_LOSSES.het, top: 4 } };

/** One sample: a mask that is code 1 in the top half, code 2 in the bottom half. */
function batch() {
  const mask = Array.from({ length: GRID_TOKENS }, (_, p) => (p < 128 ? 1 : 2));
  const image = BigInt64Array.from({ length: GRID_TOKENS * 2 }, (_, i) =>
    BigInt(layout.imageOffset + (i % 2) * 3 + (i % 3)),
  );
  const text = [2, 3, 0].map((t) => layout.textOffset + t);
  return {
    image,
    tokens: BigInt64Array.from([...text, ...mask], BigInt),
    targets: BigInt64Array.from([...mask, layout.eos], BigInt),
    hetPositions: BigInt64Array.from([0, 128, 200, 0], BigInt),
    hetWrong: BigInt64Array.from([2, 1, 0, 0], BigInt),
    hetWeights: Float32Array.from([1, 1, 1, 0]),
  };
}

describe('NTP-MRISeg training step', () => {
  it('with every loss on, overfits one sample and the prediction model reads the trained weights', async () => {
    const program = makeTrainStep({ batch: modelBatch(arch, losses, 1), loss: modelLoss(arch, losses) });
    const trainer = await Trainer.create(program, { seed: 2 });
    const b = batch();
    const first = await trainer.step(b, 3e-3);
    expect(Object.keys(first.metrics).sort()).toEqual(['accuracy', 'het', 'ntp', 'tcl']);
    let last = first;
    for (let i = 0; i < 60; i++) last = await trainer.step(b, 3e-3);
    expect(last.loss).toBeLessThan(first.loss * 0.3);
    expect(last.metrics.accuracy).toBeGreaterThan(0.95);

    const { session } = await openSession(predictionModel(arch, 1));
    const feeds = {
      image: hostTensor(b.image, [1, GRID_TOKENS, 2]),
      tokens: hostTensor(b.tokens, [1, b.tokens.length]),
      ...Object.fromEntries(
        program.params.map((p) => [p.name, hostTensor(trainer.parameters()[p.name] as Float32Array, p.shape)]),
      ),
    };
    const predicted = (await session.run(feeds)).predicted?.data as BigInt64Array;
    const hits = Array.from(predicted).filter((v, i) => v === b.targets[i]).length;
    expect(hits / predicted.length).toBeGreaterThan(0.95);
  }, 120_000);
});

describe('NTP-MRISeg training step with a region part', () => {
  const regionArch: ArchitectureConfig = { ...arch, tokens: { ...arch.tokens, regionBins: 4, regionClicks: 1 } };
  const region = layoutOf(regionArch);

  it('reads the region tokens and the prior: both get gradients and learn', async () => {
    const program = makeTrainStep({ batch: modelBatch(regionArch, losses, 1), loss: modelLoss(regionArch, losses) });
    const trainer = await Trainer.create(program, { seed: 2 });
    const b = batch();
    const slots = [1, 6, 12, 20, 9, 15].map((i) => region.regionOffset + i); // box corners, one click
    const prompt = [...Array.from(b.tokens.subarray(0, 3)), ...slots.map(BigInt)];
    // The prior says "the top half was answered": the target is the same, so the prior must be readable.
    const prior = BigInt64Array.from({ length: GRID_TOKENS }, (_, p) => BigInt(p < 128 ? 16 : 0));
    const feeds = { ...b, tokens: BigInt64Array.from([...prompt, ...b.tokens.subarray(3)]), prior };
    const before = Float32Array.from(trainer.parameters()['embed.prior'] as Float32Array);
    expect(before.every((v) => v === 0)).toBe(true);
    const width = regionArch.width;
    const rowOf = (id: number) =>
      Array.from((trainer.parameters()['embed.tokens'] as Float32Array).subarray(id * width, (id + 1) * width));
    const boxRow = rowOf(slots[0] as number);
    const unusedRow = rowOf(region.regionOffset + 2);
    const first = await trainer.step(feeds, 3e-3);
    let last = first;
    for (let i = 0; i < 40; i++) last = await trainer.step(feeds, 3e-3);
    expect(last.loss).toBeLessThan(first.loss * 0.5);
    const after = trainer.parameters()['embed.prior'] as Float32Array;
    expect(after.some((v) => v !== 0)).toBe(true);
    // A region id the sample does not use moves by weight decay alone, far less than a used one.
    const moved = (a: number[], b: number[]) => a.reduce((s, v, i) => s + Math.abs(v - (b[i] as number)), 0);
    const unusedMove = moved(rowOf(region.regionOffset + 2), unusedRow);
    expect(moved(rowOf(slots[0] as number), boxRow)).toBeGreaterThan(10 * unusedMove);
  }, 120_000);
});

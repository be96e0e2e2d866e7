import { describe, expect, it } from 'vitest';
import { GRID_TOKENS } from '../../shared/tokens';
import { createRng, deriveSeed, shuffled } from '../data/rng';
import type { Batch, StepResult, Trainer } from '../engine/trainer';
import { layoutOf } from '../model/config';
import { TINY_DECODER_ARCH } from '../testing/tiny-model';
import { runSteps, type StepLoop } from './step-loop';

const layout = layoutOf(TINY_DECODER_ARCH);

/** A trainer that only counts steps and keeps what it was fed. */
function countingTrainer() {
  const fed: { batch: Batch; lr: number }[] = [];
  const trainer = {
    steps: 0,
    async step(batch: Batch, lr: number): Promise<StepResult> {
      fed.push({ batch, lr });
      trainer.steps++;
      return { step: trainer.steps, loss: 1, gradNorm: 0, metrics: {} };
    },
  };
  return { trainer: trainer as unknown as Trainer, fed };
}

function loop(items: string[], overrides: Partial<StepLoop<string>> = {}) {
  const { trainer, fed } = countingTrainer();
  const rows: { item: string; seed: number }[] = [];
  const spec: StepLoop<string> = {
    trainer,
    layout,
    items,
    batch: 2,
    perEpoch: Math.ceil(items.length / 2),
    seed: 5,
    firstEpoch: 1,
    row: async (item, seed) => {
      rows.push({ item, seed });
      return {
        id: item,
        tokens: {
          image: new Int32Array(GRID_TOKENS * layout.imageLevels),
          text: new Int32Array(layout.promptTokens),
          prior: new Int32Array(layout.priorTokens),
          mask: new Uint16Array(GRID_TOKENS),
        },
      };
    },
    noise: undefined,
    het: null,
    lr: (step) => step / 10,
    afterStep: () => false,
    ...overrides,
  };
  return { spec, fed, rows };
}

describe('runSteps', () => {
  it("visits each epoch's seeded order, tops up its last batch from the start, and seeds every row by its position", async () => {
    const items = ['a', 'b', 'c'];
    const { spec, fed, rows } = loop(items);
    await runSteps(spec, 4);
    const order = (epoch: number) => shuffled(createRng(deriveSeed(5, epoch)), items);
    const [e1, e2] = [order(1), order(2)];
    expect(rows.map((r) => r.item)).toEqual([e1[0], e1[1], e1[2], e1[0], e2[0], e2[1], e2[2], e2[0]]);
    expect(rows.map((r) => r.seed)).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((i) => deriveSeed(5, i)));
    expect(fed.map((f) => f.lr)).toEqual([0, 0.1, 0.2, 0.3]);
  });

  it('feeds the fixed inputs with every batch, and ends when afterStep says so', async () => {
    const fixed = { frozen: new Float32Array([1, 2]) };
    const seen: number[] = [];
    const { spec, fed } = loop(['a', 'b', 'c', 'd'], {
      fixed,
      afterStep: (r, info) => {
        seen.push(info.epoch);
        return r.step === 3;
      },
    });
    await runSteps(spec, 10);
    expect(fed).toHaveLength(3);
    for (const f of fed) expect(f.batch.frozen).toBe(fixed.frozen);
    expect(seen).toEqual([1, 1, 2]);
  });

  it("resumes at the trainer's step count, with the batches an uninterrupted run would have had", async () => {
    const items = ['a', 'b', 'c', 'd'];
    const whole = loop(items);
    await runSteps(whole.spec, 3);
    const resumed = loop(items);
    (resumed.spec.trainer as unknown as { steps: number }).steps = 2;
    await runSteps(resumed.spec, 3);
    expect(resumed.rows).toEqual(whole.rows.slice(4));
  });
});

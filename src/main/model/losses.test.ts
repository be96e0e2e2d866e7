import { describe, expect, it } from 'vitest';
import { gradCheck } from '../engine/gradcheck';
import { type DType, Graph, type Tensor } from '../engine/graph';
import { serializeModel } from '../engine/onnx';
import { hostTensor, openSession } from '../engine/session';
import { hardErrorLoss, nextTokensLoss, tokenContrastiveLoss } from './losses';

type Feed = { shape: number[]; dtype: DType; values: number[] };

/** Evaluates a scalar built from the given inputs (float32). */
async function evaluate(build: (g: Graph, inputs: Tensor[]) => Tensor, feeds: Feed[]): Promise<number> {
  const g = new Graph('float32');
  const inputs = feeds.map((f, i) => g.input(`in${i}`, f.dtype, f.shape));
  const out = g.named(build(g, inputs), 'out');
  const { session } = await openSession(
    serializeModel(g, { inputs: g.inputs, outputs: [out], initializers: g.constants }),
  );
  const run = await session.run(
    Object.fromEntries(
      feeds.map((f, i) => [
        `in${i}`,
        hostTensor(
          f.dtype === 'int64' ? BigInt64Array.from(f.values, (v) => BigInt(v)) : Float32Array.from(f.values),
          f.shape,
        ),
      ]),
    ),
  );
  return Number(run.out?.data[0]);
}

const LN2 = Math.log(2);
const f32 = (shape: number[], values: number[]): Feed => ({ shape, dtype: 'float32', values });
const i64 = (shape: number[], values: number[]): Feed => ({ shape, dtype: 'int64', values });

describe('next-token losses', () => {
  // Head 1: position 0 logits (0, 0) target 0 → ln 2; position 1 logits (ln 3, 0) target 1 → ln 4.
  const head1 = f32([1, 2, 2], [0, 0, Math.log(3), 0]);
  // Head 2 at position 0 predicts target[1] = 1 from (0, ln 3) → ln(4/3); position 1 is past the end.
  const head2 = f32([1, 2, 2], [0, Math.log(3), 100, 0]);
  const targets = i64([1, 2], [0, 1]);

  it('NTP is head 1 cross-entropy averaged over positions', async () => {
    const v = await evaluate((g, [a, , t]) => nextTokensLoss(g, [a!], t!, null).loss, [head1, head2, targets]);
    expect(v).toBeCloseTo((LN2 + 2 * LN2) / 2, 5);
  });

  it('NkTP adds decay^(j-1) × head j cross-entropy, ignoring targets past the end', async () => {
    const v = await evaluate((g, [a, b, t]) => nextTokensLoss(g, [a!, b!], t!, 0.5).loss, [head1, head2, targets]);
    expect(v).toBeCloseTo(1.5 * LN2 + 0.5 * Math.log(4 / 3), 5);
  });
});

describe('TCL', () => {
  // Embeddings e0 = (1, 0), e1 = (0, 1), e2 = (1, 1); m = 1, temperature 1.
  const embedding = f32([3, 2], [1, 0, 0, 1, 1, 1]);
  const hidden = f32([1, 3, 2], [1, 0, 1, 1, 0, 2]);
  const targets = i64([1, 3], [0, 2, 1]);
  const predicted = i64([1, 3], [1, 1, 0]);

  it('matches the hand computation (first position and a negative equal to the target are left out)', async () => {
    const v = await evaluate(
      (g, [h, t, p, e]) => tokenContrastiveLoss(g, h!, t!, p!, e!, 1, 1),
      [hidden, targets, predicted, embedding],
    );
    // Position 0: no earlier prediction → 0. Position 1: cos(h, e2) = 1 vs cos(h, e1) = 1/√2.
    // Position 2: the prediction at 1 is token 1, its own target → left out → 0.
    const p1 = Math.log(1 + Math.exp(Math.SQRT1_2 - 1));
    expect(v).toBeCloseTo(p1 / 3, 5);
  });

  it('temperature sharpens the contrast', async () => {
    const run = (tau: number) =>
      evaluate(
        (g, [h, t, p, e]) => tokenContrastiveLoss(g, h!, t!, p!, e!, 1, tau),
        [hidden, targets, predicted, embedding],
      );
    const p1 = Math.log(1 + Math.exp((Math.SQRT1_2 - 1) / 0.5));
    expect(await run(0.5)).toBeCloseTo(p1 / 3, 5);
  });

  it('has correct gradients (float64, hidden and embeddings)', async () => {
    const r = await gradCheck(
      (g, [h, e, t, p]) => tokenContrastiveLoss(g, h!, t!, p!, e!, 2, 0.5),
      [
        { shape: [1, 4, 3], dtype: 'float64' },
        { shape: [5, 3], dtype: 'float64' },
        { shape: [1, 4], dtype: 'int64', values: [0, 2, 4, 1] },
        { shape: [1, 4], dtype: 'int64', values: [3, 2, 1, 1] },
      ],
    );
    expect(r.worst).toBeLessThanOrEqual(1);
  });
});

describe('HET', () => {
  // Position 1 logits (ln 2, 0, 0): p = (1/2, 1/4, 1/4).
  const logits = f32([1, 2, 3], [0, 0, 0, LN2, 0, 0]);
  const targets = i64([1, 2], [2, 1]);

  it('pushes toward the target and away from the remembered wrong token', async () => {
    const v = await evaluate(
      (g, [l, t, p, w, m]) => hardErrorLoss(g, l!, t!, p!, w!, m!),
      [
        logits,
        targets,
        i64([1, 2], [1, 0]),
        i64([1, 2], [0, 2]), // entry 2's "wrong" token is its target now: left out
        f32([1, 2], [1, 1]),
      ],
    );
    // −log p(1) − log(1 − p(0)) = ln 4 + ln 2.
    expect(v).toBeCloseTo(3 * LN2, 5);
  });

  it('ignores empty memory slots', async () => {
    const v = await evaluate(
      (g, [l, t, p, w, m]) => hardErrorLoss(g, l!, t!, p!, w!, m!),
      [logits, targets, i64([1, 2], [1, 1]), i64([1, 2], [0, 2]), f32([1, 2], [1, 0])],
    );
    expect(v).toBeCloseTo(3 * LN2, 5);
  });

  it('has correct gradients (float64)', async () => {
    const r = await gradCheck(
      (g, [l, t, p, w, m]) => hardErrorLoss(g, l!, t!, p!, w!, m!),
      [
        { shape: [2, 3, 4], dtype: 'float64' },
        { shape: [2, 3], dtype: 'int64', values: [0, 1, 2, 3, 3, 0] },
        { shape: [2, 2], dtype: 'int64', values: [0, 2, 1, 2] },
        { shape: [2, 2], dtype: 'int64', values: [3, 1, 0, 0] },
        { shape: [2, 2], dtype: 'float64', values: [1, 1, 1, 0] },
      ],
    );
    expect(r.worst).toBeLessThanOrEqual(1);
  });
});

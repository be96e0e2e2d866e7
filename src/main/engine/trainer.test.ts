import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { exportDecoder } from './export';
import { hostTensor } from './session';
import { makeTrainStep } from './train-step';
import { Trainer } from './trainer';
import { type DecoderConfig, decoderBatch, decoderLoss } from './transformer';

const cfg: DecoderConfig = { vocab: 11, width: 16, heads: 2, layers: 1, maxSeq: 6 };
const seq = 6;
const ids = (xs: number[]) => BigInt64Array.from(xs, BigInt);
const rows = {
  tokens: [ids([1, 2, 3, 4, 5, 6]), ids([7, 8, 9, 10, 0, 1])],
  targets: [ids([2, 3, 4, 5, 6, 7]), ids([8, 9, 10, 0, 1, 2])],
};
const join2 = (a: BigInt64Array, b: BigInt64Array) => BigInt64Array.from([...a, ...b]);
const batchOf = (i: number) => ({
  tokens: rows.tokens[i]!,
  targets: rows.targets[i]!,
  weights: new Float32Array(seq).fill(1),
});
const both = {
  tokens: join2(rows.tokens[0]!, rows.tokens[1]!),
  targets: join2(rows.targets[0]!, rows.targets[1]!),
  weights: new Float32Array(2 * seq).fill(1),
};

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function maxDiff(a: Record<string, Float32Array>, b: Record<string, Float32Array>): number {
  let worst = 0;
  for (const [k, x] of Object.entries(a)) {
    const y = b[k] as Float32Array;
    for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs((x[i] as number) - (y[i] as number)));
  }
  return worst;
}

describe('Trainer', () => {
  it('frozen parameters are fed as inputs, get no update and still shape the loss', async () => {
    // loss = Σ (w·x + u)²: w trains, u (frozen) is fed at 2 and must come back unchanged.
    const program = makeTrainStep({
      batch: { x: { dtype: 'float32', shape: [2] } },
      loss: (g, b) => {
        const w = g.param('w', [2], { kind: 'values', values: Float32Array.from([1, -2]) });
        const u = g.param('u', [2], { kind: 'zeros' });
        const y = g.add(g.mul(w, b.x!), u);
        return { loss: g.reduceSum(g.mul(y, y), [0]) };
      },
      frozen: ['u'],
    });
    expect(program.params.map((p) => p.name)).toEqual(['w']);
    expect(program.batch.u).toEqual({ dtype: 'float32', shape: [2] });
    const trainer = await Trainer.create(program);
    const u = Float32Array.from([2, 2]);
    const r = await trainer.step({ x: Float32Array.from([1, 1]), u }, 0.1);
    // (1 + 2)² + (−2 + 2)² = 9: u was read.
    expect(r.loss).toBeCloseTo(9, 5);
    expect(Array.from(u)).toEqual([2, 2]);
    expect(trainer.parameters().w![0]).toBeLessThan(1);
    expect(() =>
      makeTrainStep({
        batch: {},
        loss: (g) => ({ loss: g.reduceSum(g.param('w', [1], { kind: 'zeros' }), [0]) }),
        frozen: ['nope'],
      }),
    ).toThrow(/frozen names no parameter: nope/);
    await trainer.close();
  });

  it('AdamW step with clipping and decoupled weight decay matches a hand computation', async () => {
    // loss = Σ w·x, so ∂loss/∂w = x exactly; one step from w0 checks every AdamW term.
    const opt = { beta1: 0.8, beta2: 0.9, eps: 1e-3, weightDecay: 0.5, clipNorm: 2.5 };
    const program = makeTrainStep({
      batch: { x: { dtype: 'float32', shape: [2] } },
      loss: (g, b) => {
        const w = g.param('w', [1, 2], { kind: 'values', values: Float32Array.from([1, -2]) });
        return { loss: g.reduceSum(g.mul(w, b.x!), [0, 1]) };
      },
      optimizer: opt,
    });
    const trainer = await Trainer.create(program);
    const x = Float32Array.from([3, 4]); // norm 5 → clipped by 0.5
    const lr = 0.1;
    const r = await trainer.step({ x }, lr);
    expect(r.gradNorm).toBeCloseTo(5, 5);
    const w0 = [1, -2];
    const expected = w0.map((w, i) => {
      const g = (x[i] as number) * 0.5;
      const m = (1 - opt.beta1) * g;
      const v = (1 - opt.beta2) * g * g;
      const mhat = m / (1 - opt.beta1);
      const vhat = v / (1 - opt.beta2);
      return w * (1 - lr * opt.weightDecay) - (lr * mhat) / (Math.sqrt(vhat) + opt.eps);
    });
    const w = trainer.parameters().w as Float32Array;
    expect(w[0]).toBeCloseTo(expected[0] as number, 5);
    expect(w[1]).toBeCloseTo(expected[1] as number, 5);
    expect(trainer.state().m.w?.[0]).toBeCloseTo((1 - opt.beta1) * 1.5, 6);
    await trainer.close();
  });

  it('accumulating two micro-batches equals one step on the combined batch', async () => {
    const single = makeTrainStep({ batch: decoderBatch(1, seq), loss: decoderLoss(cfg, seq) });
    const double = makeTrainStep({ batch: decoderBatch(2, seq), loss: decoderLoss(cfg, seq) });
    const a = await Trainer.create(single, { seed: 7 });
    const b = await Trainer.create(double, { seed: 7 });
    expect(maxDiff(a.parameters(), b.parameters())).toBe(0);
    const ra = await a.step([batchOf(0), batchOf(1)], 1e-2);
    const rb = await b.step(both, 1e-2);
    expect(ra.loss).toBeCloseTo(rb.loss, 5);
    expect(ra.gradNorm).toBeCloseTo(rb.gradNorm, 4);
    const moved = maxDiff(a.parameters(), (await Trainer.create(single, { seed: 7 })).parameters());
    expect(moved).toBeGreaterThan(1e-3);
    expect(maxDiff(a.parameters(), b.parameters())).toBeLessThan(1e-4);
    await Promise.all([a.close(), b.close()]);
  });

  it('rejects a bad batch with a clear error and keeps its state', async () => {
    const trainer = await Trainer.create(makeTrainStep({ batch: decoderBatch(1, seq), loss: decoderLoss(cfg, seq) }));
    const before = trainer.state();
    await expect(trainer.step({ ...batchOf(0), tokens: ids([1, 2]) }, 1e-2)).rejects.toThrow(
      /"tokens" has 2 values, expected 6/,
    );
    await expect(trainer.step({ tokens: rows.tokens[0]! } as never, 1e-2)).rejects.toThrow(/missing "targets"/);
    await expect(trainer.step(batchOf(0), Number.NaN)).rejects.toThrow(/learning rate/);
    expect(trainer.steps).toBe(0);
    expect(maxDiff(before.params, trainer.parameters())).toBe(0);
    await trainer.close();
  });

  it('checkpoint round trip resumes identically; exported model predicts what it learned', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'engine-'));
    dirs.push(dir);
    const program = makeTrainStep({
      batch: decoderBatch(2, seq),
      loss: decoderLoss(cfg, seq),
      optimizer: { weightDecay: 0 },
    });
    const trainer = await Trainer.create(program, { seed: 1 });
    for (let i = 0; i < 40; i++) await trainer.step(both, 2e-2);
    const path = join(dir, 'model.ckpt');
    const shapes = Object.fromEntries(program.params.map((p) => [p.name, p.shape]));
    await saveCheckpoint(path, { state: trainer.state(), config: { cfg, seq }, shapes });

    const loaded = await loadCheckpoint(path);
    expect(loaded.config).toEqual({ cfg, seq });
    expect(loaded.shapes['embed.tokens']).toEqual([cfg.vocab, cfg.width]);
    const resumed = await Trainer.create(program, { state: loaded.state });
    expect(resumed.steps).toBe(40);
    const [r1, r2] = [await trainer.step(both, 2e-2), await resumed.step(both, 2e-2)];
    expect(r2.loss).toBe(r1.loss);
    expect(maxDiff(trainer.parameters(), resumed.parameters())).toBe(0);

    const model = exportDecoder(cfg, seq, trainer.parameters());
    const session = await ort.InferenceSession.create(model);
    expect(session.outputNames).toEqual(['logits']);
    const out = await session.run({
      tokens: hostTensor(both.tokens, [2, seq]),
      positions: hostTensor(ids([0, 1, 2, 3, 4, 5]), [seq]),
    });
    const logits = out.logits!.data as Float32Array;
    const predicted = Array.from({ length: 2 * seq }, (_, i) => {
      const row = logits.subarray(i * cfg.vocab, (i + 1) * cfg.vocab);
      return row.indexOf(Math.max(...row));
    });
    expect(predicted).toEqual(Array.from(both.targets, Number));
    await Promise.all([trainer.close(), resumed.close(), session.release()]);
  });

  it('refuses state or parameters that do not fit the model', async () => {
    const program = makeTrainStep({ batch: decoderBatch(1, seq), loss: decoderLoss(cfg, seq) });
    const other = await Trainer.create(
      makeTrainStep({ batch: decoderBatch(1, seq), loss: decoderLoss({ ...cfg, width: 8 }, seq) }),
    );
    await expect(Trainer.create(program, { state: other.state() })).rejects.toThrow(
      /state is missing params embed\.tokens \(176 floats\)/,
    );
    expect(() => exportDecoder(cfg, seq, other.parameters())).toThrow(/embed\.tokens has 88 values, expected 176/);
    expect(() => exportDecoder(cfg, seq, {})).toThrow(/no trained values for parameter embed\.tokens/);
    await other.close();
  });

  it('refuses corrupt or truncated checkpoints', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'engine-'));
    dirs.push(dir);
    const path = join(dir, 'bad.ckpt');
    await writeFile(path, 'not a checkpoint');
    await expect(loadCheckpoint(path)).rejects.toThrow(/bad magic/);
    const good = join(dir, 'good.ckpt');
    const state = { steps: 1, params: { w: new Float32Array(100).fill(2) }, m: {}, v: {} };
    await saveCheckpoint(good, { state, config: null, shapes: {} });
    const bytes = await readFile(good);
    await writeFile(path, bytes.subarray(0, bytes.length - 100));
    await expect(loadCheckpoint(path)).rejects.toThrow(/outside the file/);
    expect((await loadCheckpoint(good)).state.params.w).toEqual(state.params.w);
  });
});

import { describe, expect, it } from 'vitest';
import { allowedOutput, GRID_TOKENS, imageIds } from '../../../shared/tokens';
import { exportInference } from '../../engine/export';
import type { Tensor } from '../../engine/graph';
import { hostTensor, openSession } from '../../engine/session';
import { type ArchitectureConfig, layoutOf } from '../../model/config';
import { decodeStepModel, kvName, pastName, prefillModel } from '../../model/inference';
import { teacherForced } from '../../model/network';
import { randomParams as randomModelParams, TINY_DECODER_ARCH } from '../../testing/tiny-model';
import { KvDecoderSession, kvRows, openDecoderModels, promptIds } from './decoder-session';
import { greedyDecode, type HeadLogits, speculativeDecode } from './decoding';

const arch: ArchitectureConfig = TINY_DECODER_ARCH;
const layout = layoutOf(arch);

/** Randomly initialised weights, scaled up so the untrained model's choices vary from step to step. */
const randomParams = (seed: number) => randomModelParams(arch, seed, 20);

function modelsFor(params: Record<string, Float32Array>) {
  return openDecoderModels(arch, { prefill: prefillModel(arch, params), decode: decodeStepModel(arch, params) });
}

async function sessionFor(params: Record<string, Float32Array>) {
  const models = await modelsFor(params);
  return () => new KvDecoderSession(models);
}

const imageTokens = Array.from({ length: 2 * GRID_TOKENS }, (_, i) => (i * 7 + (i >> 5)) % 5);
const text = [3, 5, 2];
const options = { steps: layout.outputs, allowed: (i: number) => allowedOutput(layout, i) };

describe('KV-cached decoder session', () => {
  it('speculative and greedy decoding give the same mask tokens', async () => {
    const open = await sessionFor(randomParams(3));
    const prompt = promptIds(layout, imageTokens, text);
    const greedy = await greedyDecode(open(), prompt, options);
    const speculative = await speculativeDecode(open(), prompt, options);
    expect(new Set(greedy.tokens.subarray(0, GRID_TOKENS)).size).toBeGreaterThan(1);
    expect(greedy.tokens[GRID_TOKENS]).toBe(layout.eos);
    expect(Array.from(speculative.tokens)).toEqual(Array.from(greedy.tokens));
    expect(greedy.forwardPasses).toBe(layout.outputs); // prompt pass + one per token but the last
  }, 60_000);

  it('cached decoding gives the logits of a full recompute at every position and head', async () => {
    const params = randomParams(5);
    const open = await sessionFor(params);
    const session = open();
    const rows: HeadLogits[] = [];
    const extend = session.extend.bind(session);
    session.extend = async (t) => {
      const r = await extend(t);
      rows.push(r);
      return r;
    };
    const result = await greedyDecode(session, promptIds(layout, imageTokens, text), options);

    const full = await openSession(
      exportInference((g) => {
        const image = g.input('image', 'int64', [1, GRID_TOKENS, layout.imageLevels]);
        const tokens = g.input('tokens', 'int64', [1, layout.maxText + GRID_TOKENS]);
        const f = teacherForced(g, arch, image, tokens);
        return {
          logits: g.concat(
            f.logits.map((l) => g.unsqueeze(l, [2])),
            2,
          ),
        };
      }, params),
    );
    const prompt = promptIds(layout, imageTokens, text);
    const sequence = [...prompt.subarray(2 * GRID_TOKENS), ...result.tokens.subarray(0, GRID_TOKENS)];
    const out = await full.session.run({
      image: hostTensor(BigInt64Array.from(imageIds(layout, imageTokens), BigInt), [1, GRID_TOKENS, 2]),
      tokens: hostTensor(BigInt64Array.from(sequence, BigInt), [1, sequence.length]),
    });
    const expected = out.logits?.data as Float32Array;
    const row = arch.predictHeads * layout.outputVocab;
    expect(rows.length).toBe(layout.outputs);
    let worst = 0;
    let scale = 0;
    rows.forEach((r, p) => {
      expect(r.positions).toBe(1);
      for (let i = 0; i < row; i++) {
        const e = expected[p * row + i] as number;
        worst = Math.max(worst, Math.abs((r.data[i] as number) - e));
        scale = Math.max(scale, Math.abs(e));
      }
    });
    // float32 sums in another order: agreement to ~1e-6 of the logits' scale (the weights are scaled up).
    expect(scale).toBeGreaterThan(1);
    expect(worst / scale).toBeLessThan(1e-5);
  }, 60_000);

  it('decodes rows of one batch as each alone: its own draft acceptance, its own length, closing early', async () => {
    const models = await modelsFor(randomParams(3));
    const prompts = [text, [1, 4], [6]].map((t, r) =>
      promptIds(
        layout,
        imageTokens.map((v, i) => (v + r * i) % 5),
        t,
      ),
    );
    // The last row decodes a third of the tokens and leaves; the others go on without it.
    const steps = [layout.outputs, layout.outputs, Math.floor(layout.outputs / 3)];
    const rows = kvRows(models, prompts.length);
    // Every step of every row: its cached length before, the tokens it fed, and the logits it got.
    const fed: { before: number; tokens: Int32Array; logits: HeadLogits }[][] = rows.map(() => []);
    let cut = 0;
    const batched = await Promise.all(
      rows.map(async (row, r) => {
        const extend = row.extend.bind(row);
        row.extend = async (t) => {
          const before = row.length;
          const l = await extend(t);
          if (before > 0 && l.positions < t.length) cut++;
          const tokens = t.slice(0, before === 0 ? t.length : l.positions);
          (fed[r] as (typeof fed)[0]).push({ before, tokens, logits: { ...l, data: l.data.slice() } });
          return l;
        };
        const result = await speculativeDecode(row, prompts[r] as Int32Array, {
          ...options,
          steps: steps[r] as number,
        });
        row.close?.();
        return result;
      }),
    );
    // A step feeds every row the shortest draft asked for: longer drafts were cut.
    expect(cut).toBeGreaterThan(0);
    for (const [r, prompt] of prompts.entries()) {
      // Greedy's tokens, whatever the batch cut.
      const single = await greedyDecode(new KvDecoderSession(models), prompt, {
        ...options,
        steps: steps[r] as number,
      });
      expect(Array.from((batched[r] as typeof single).tokens)).toEqual(Array.from(single.tokens));
      // Each step's logits are what one row alone gets from the same cache and tokens, within float
      // tolerance (another summation order in a batch).
      const alone = new KvDecoderSession(models);
      let worst = 0;
      for (const step of fed[r] as (typeof fed)[0]) {
        if (alone.length > step.before) alone.truncate(step.before);
        const l = await alone.extend(step.tokens);
        expect(l.positions).toBe(step.logits.positions);
        l.data.forEach((v, i) => {
          worst = Math.max(worst, Math.abs(v - (step.logits.data[i] as number)));
        });
      }
      expect(worst).toBeLessThan(1e-3);
    }
    // The rows accepted drafts at their own pace.
    expect(new Set(batched.map((b) => b.forwardPasses)).size).toBeGreaterThan(1);
  }, 60_000);

  it('refuses a decode graph that takes one row at a time, and says how to export the model again', async () => {
    // The names of a decode graph exported before batching, with its one shared mask [n, kv].
    const oneRow = exportInference((g) => {
      for (const name of ['tokens', 'position_a', 'position_b']) g.input(name, 'int64', ['n']);
      const out: Record<string, Tensor> = { logits: g.add(g.input('mask', 'float32', ['n', 'kv']), g.scalar(0)) };
      for (let l = 0; l < arch.layers; l++)
        for (const kind of ['keys', 'values'] as const)
          out[kvName(kind, l)] = g.add(g.input(pastName(kind, l), 'float32', ['past', arch.width]), g.scalar(0));
      return out;
    }, {});
    const prefill = prefillModel(arch, randomParams(1));
    await expect(openDecoderModels(arch, { prefill, decode: oneRow })).rejects.toThrow(
      /one row at a time .*nextmask export <model folder>/,
    );
  });

  it('rejects a prompt of the wrong length and non-mask tokens', async () => {
    const open = await sessionFor(randomParams(1));
    const session = open();
    await expect(session.extend(new Int32Array(10))).rejects.toThrow(/prompt must hold/);
    await session.extend(promptIds(layout, imageTokens, text));
    await expect(session.extend(Int32Array.of(layout.eos + 1))).rejects.toThrow(/not a mask code/);
  }, 60_000);
});

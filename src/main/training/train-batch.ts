// One training batch, as base training and fine-tuning both feed it: the rows' tokens packed into the
// training graph's inputs, the step's feeds (mask inputs corrupted, HET's remembered errors of each
// row), and the errors the model then makes on the batch recorded into HET's memory.
import type * as ort from 'onnxruntime-node';
import { GRID_TOKENS, type TokenLayout } from '../../shared/tokens';
import { deriveSeed } from '../data/rng';
import { hostTensor } from '../engine/session';
import type { SampleTokens } from '../segmenter/runtime/tokenizer-set';
import type { HetMemory } from './het-memory';
import { corruptMaskInputs } from './input-noise';

export interface PackedBatch {
  image: BigInt64Array;
  /** Text and region, then mask inputs, per row. */
  tokens: BigInt64Array;
  /** The prior's levels per row (empty without a region part). */
  prior: BigInt64Array;
  /** The mask tokens then end-of-sequence, per row. */
  targets: BigInt64Array;
}

export function packBatch(layout: TokenLayout, rows: readonly SampleTokens[]): PackedBatch {
  const B = rows.length;
  const P = layout.outputs;
  const row = layout.promptTokens + GRID_TOKENS;
  const out: PackedBatch = {
    image: new BigInt64Array(B * GRID_TOKENS * layout.imageLevels),
    tokens: new BigInt64Array(B * row),
    prior: new BigInt64Array(B * layout.priorTokens),
    targets: new BigInt64Array(B * P),
  };
  rows.forEach((t, b) => {
    if (t.text.length !== layout.promptTokens || t.prior.length !== layout.priorTokens)
      throw new Error('a row was tokenized for another token layout');
    out.image.set(Array.from(t.image, BigInt), b * t.image.length);
    out.tokens.set([...Array.from(t.text, BigInt), ...Array.from(t.mask, BigInt)], b * row);
    out.prior.set(Array.from(t.prior, BigInt), b * layout.priorTokens);
    out.targets.set([...Array.from(t.mask, BigInt), BigInt(layout.eos)], b * P);
  });
  return out;
}

/** How training corrupts the mask inputs (TrainConfig's fields; absent: not at all). */
export interface MaskInputNoise {
  maskInputNoise?: number;
  maskInputBlank?: number;
}

/**
 * Step `step` of a run seeded `seed`: the rows packed, and the step's feeds: the batch with its mask
 * inputs corrupted (targets stay clean) and, with HET, the remembered errors of each row (`ids`: the
 * rows' item ids, HET's keys).
 */
export function stepBatch(
  layout: TokenLayout,
  rows: readonly SampleTokens[],
  ids: readonly string[],
  noise: MaskInputNoise | undefined,
  seed: number,
  step: number,
  het: HetMemory | null,
): { batch: PackedBatch; feeds: Record<string, BigInt64Array | Float32Array> } {
  const B = rows.length;
  const batch = packBatch(layout, rows);
  const tokens = BigInt64Array.from(batch.tokens);
  const corruption = deriveSeed(seed ^ 0x5eed, step);
  corruptMaskInputs(
    tokens,
    B,
    layout.promptTokens,
    layout.maskCodes,
    noise?.maskInputNoise ?? 0,
    corruption,
    noise?.maskInputBlank ?? 0,
  );
  const { prior, ...packed } = batch;
  const modelInputs = { ...packed, tokens, ...(layout.priorTokens > 0 ? { prior } : {}) };
  if (!het) return { batch, feeds: modelInputs };
  const H = het.top;
  const inputs = {
    positions: new BigInt64Array(B * H),
    wrong: new BigInt64Array(B * H),
    weights: new Float32Array(B * H),
  };
  for (const [b, id] of ids.entries()) het.fill(id, b, inputs);
  return {
    batch,
    feeds: { ...modelInputs, hetPositions: inputs.positions, hetWrong: inputs.wrong, hetWeights: inputs.weights },
  };
}

/** Records HET's errors of the batch: the model's teacher-forced predictions (clean inputs) against the targets. */
export async function recordErrors(
  layout: TokenLayout,
  het: HetMemory,
  predictor: ort.InferenceSession,
  batch: PackedBatch,
  ids: readonly string[],
  params: Record<string, ort.Tensor>,
): Promise<void> {
  const B = ids.length;
  const P = layout.outputs;
  const out = await predictor.run({
    image: hostTensor(batch.image, [B, GRID_TOKENS, layout.imageLevels]),
    tokens: hostTensor(batch.tokens, [B, layout.promptTokens + GRID_TOKENS]),
    ...(layout.priorTokens > 0 ? { prior: hostTensor(batch.prior, [B, layout.priorTokens]) } : {}),
    ...params,
  });
  const predicted = out.predicted?.data as BigInt64Array;
  for (const [b, id] of ids.entries()) {
    const rows = (a: BigInt64Array) => Array.from(a.subarray(b * P, (b + 1) * P), Number);
    het.record(id, rows(predicted), rows(batch.targets));
  }
}

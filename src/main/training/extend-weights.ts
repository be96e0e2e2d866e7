// A trained model's weights carried into an architecture with a region part (src/shared/tokens.ts), so
// the shipped base is continued rather than trained again. Every weight the two share is copied; the new
// rows start where the model already knows what they mean: a region coordinate's row is the image grid's
// position row of that column (x) or row (y), plus a small random vector per block (box, positive click,
// negative click) so the three are told apart; NONE is zero; the region slots' position rows are drawn
// like fresh position rows; the prior's vector is zero, so the model first answers exactly as before.
import { GRID_SIDE, positionRows, type TokenLayout } from '../../shared/tokens';
import { normal } from '../engine/random';
import type { ParamSpec } from '../engine/train-step';

const TOKENS = 'embed.tokens';
const POSITIONS = 'embed.positions';
const BLOCK_STD = 0.02;
const POSITION_STD = 0.01;

/**
 * The weights a run starts from: `params` as they are when the trained model is laid out as `to` (a
 * region model trained on), else extended to it (extendWeights).
 */
export function startingWeights(
  params: Record<string, Float32Array>,
  specs: readonly ParamSpec[],
  from: TokenLayout,
  to: TokenLayout,
  width: number,
  seed: number,
): Record<string, Float32Array> {
  if (JSON.stringify(from) !== JSON.stringify(to)) return extendWeights(params, specs, from, to, width, seed);
  const out: Record<string, Float32Array> = {};
  for (const spec of specs) {
    const old = params[spec.name];
    if (!old || old.length !== spec.size) throw new Error(`${spec.name} differs in size between the two models`);
    out[spec.name] = Float32Array.from(old);
  }
  return out;
}

/** `params` (of a model laid out as `from`) as the parameters `specs` of a model laid out as `to`. */
export function extendWeights(
  params: Record<string, Float32Array>,
  specs: readonly ParamSpec[],
  from: TokenLayout,
  to: TokenLayout,
  width: number,
  seed: number,
): Record<string, Float32Array> {
  if (from.regionSlots > 0)
    throw new Error('the model already has a region part of another layout: it cannot be extended');
  if (to.regionOffset !== from.vocab) throw new Error('the two models do not share their token ids');
  const sample = normal(seed);
  const out: Record<string, Float32Array> = {};
  for (const spec of specs) {
    const old = params[spec.name];
    if (spec.name === TOKENS) out[spec.name] = extendTokens(old, from, to, width, params[POSITIONS], sample);
    else if (spec.name === POSITIONS) out[spec.name] = extendPositions(old, from, to, width, sample);
    else if (!old) {
      if (spec.init.kind !== 'zeros') throw new Error(`the trained model has no weights for ${spec.name}`);
      out[spec.name] = new Float32Array(spec.size);
    } else if (old.length !== spec.size) throw new Error(`${spec.name} differs in size between the two models`);
    else out[spec.name] = Float32Array.from(old);
  }
  return out;
}

function extendTokens(
  old: Float32Array | undefined,
  from: TokenLayout,
  to: TokenLayout,
  width: number,
  positions: Float32Array | undefined,
  sample: () => number,
): Float32Array {
  if (!old || !positions || old.length !== from.vocab * width) throw new Error(`${TOKENS} is missing or misshapen`);
  const table = new Float32Array(to.vocab * width);
  table.set(old);
  const bins = to.regionBins ?? 0;
  for (let block = 0; block < 6; block++) {
    const role = Float32Array.from({ length: width }, () => sample() * BLOCK_STD);
    const isX = block % 2 === 0;
    for (let b = 0; b < bins; b++) {
      const cell = Math.min(GRID_SIDE - 1, Math.floor((b * GRID_SIDE) / bins));
      // Image rows are position rows 0..15, image columns 16..31.
      const source = (isX ? GRID_SIDE + cell : cell) * width;
      const row = (to.regionOffset + 1 + block * bins + b) * width;
      for (let d = 0; d < width; d++) table[row + d] = (positions[source + d] as number) + (role[d] as number);
    }
  }
  return table;
}

function extendPositions(
  old: Float32Array | undefined,
  from: TokenLayout,
  to: TokenLayout,
  width: number,
  sample: () => number,
): Float32Array {
  if (!old || old.length !== positionRows(from) * width) throw new Error(`${POSITIONS} is missing or misshapen`);
  const table = new Float32Array(positionRows(to) * width);
  table.set(old);
  for (let i = old.length; i < table.length; i++) table[i] = sample() * POSITION_STD;
  return table;
}

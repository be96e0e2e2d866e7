// The model's token layout, shared by the model, the segmenter and the UI.
// Sequence: [image tokens 16x16][text tokens, padded to maxText][mask tokens 16x16][EOS].
// One combined vocabulary: mask codes first, then EOS, so the output vocabulary (what the heads
// predict) is exactly ids [0, maskCodes + 1) and decoding needs no remapping; then image codes
// (one block per residual level: a position sums one embedding per level), then text ids.

export const GRID_SIDE = 16;
export const GRID_TOKENS = GRID_SIDE * GRID_SIDE;

export interface TokenSizes {
  maskCodes: number;
  imageLevels: number;
  imageCodes: number;
  /** Compact text vocabulary size, PAD (0) and UNK (1) included. */
  textVocab: number;
  /** Text tokens per sequence (shorter texts are padded with PAD, longer ones cut). */
  maxText: number;
}

export interface TokenLayout extends TokenSizes {
  eos: number;
  /** First id of image level 0; level l code c is imageOffset + l * imageCodes + c. */
  imageOffset: number;
  textOffset: number;
  vocab: number;
  /** Ids the heads predict: mask codes and EOS. */
  outputVocab: number;
  /** Sequence positions before the first mask token (image grid and text). */
  prefix: number;
  /** Tokens the decoder produces: the mask grid and EOS. */
  outputs: number;
}

export function tokenLayout(s: TokenSizes): TokenLayout {
  for (const [k, v] of Object.entries(s)) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`token layout: ${k} must be a positive integer, got ${v}`);
  }
  const eos = s.maskCodes;
  const imageOffset = eos + 1;
  const textOffset = imageOffset + s.imageLevels * s.imageCodes;
  return {
    ...s,
    eos,
    imageOffset,
    textOffset,
    vocab: textOffset + s.textVocab,
    outputVocab: s.maskCodes + 1,
    prefix: GRID_TOKENS + s.maxText,
    outputs: GRID_TOKENS + 1,
  };
}

/** Image tokens (level-major, as the image tokenizer gives them) → combined ids, [position][level]. */
export function imageIds(layout: TokenLayout, levelMajor: ArrayLike<number>): Int32Array {
  const { imageLevels: levels, imageCodes: codes } = layout;
  if (levelMajor.length !== levels * GRID_TOKENS) throw new Error(`expected ${levels * GRID_TOKENS} image tokens`);
  const out = new Int32Array(levels * GRID_TOKENS);
  for (let l = 0; l < levels; l++) {
    for (let p = 0; p < GRID_TOKENS; p++) {
      const c = levelMajor[l * GRID_TOKENS + p] as number;
      if (!(c >= 0 && c < codes)) throw new Error(`image code ${c} is outside [0, ${codes})`);
      out[p * levels + l] = layout.imageOffset + l * codes + c;
    }
  }
  return out;
}

/** Compact text ids → maxText combined ids (cut, or padded with PAD = compact id 0). */
export function textIds(layout: TokenLayout, compact: ArrayLike<number>): Int32Array {
  const out = new Int32Array(layout.maxText).fill(layout.textOffset);
  for (let i = 0; i < Math.min(compact.length, layout.maxText); i++) {
    const t = compact[i] as number;
    if (!(t >= 0 && t < layout.textVocab)) throw new Error(`text id ${t} is outside [0, ${layout.textVocab})`);
    out[i] = layout.textOffset + t;
  }
  return out;
}

/** Half-open id range output i may take: mask codes for the 256 grid cells, then EOS. */
export function allowedOutput(layout: TokenLayout, i: number): readonly [number, number] {
  return i < GRID_TOKENS ? [0, layout.maskCodes] : [layout.eos, layout.eos + 1];
}

/**
 * Position-table rows: image rows, image columns, mask rows, mask columns (16 each), text slots
 * (maxText), one "text" row and one "end" row. Each sequence position sums two rows: (row, column) for
 * grid tokens, (slot, text row) for text, so grid tokens know their 2D place and text its 1D order.
 * EOS is never an input in training; speculative decoding may feed it as a draft, at (end, text row).
 */
export function positionRows(layout: TokenLayout): number {
  return 4 * GRID_SIDE + layout.maxText + 2;
}

/** The two position-table rows of sequence position `s` (0 ≤ s ≤ prefix + 256). */
export function positionPair(layout: TokenLayout, s: number): [number, number] {
  const G = GRID_SIDE;
  if (s < GRID_TOKENS) return [Math.floor(s / G), G + (s % G)];
  if (s < layout.prefix) return [4 * G + (s - GRID_TOKENS), 4 * G + layout.maxText];
  const m = s - layout.prefix;
  if (m === GRID_TOKENS) return [4 * G + layout.maxText + 1, 4 * G + layout.maxText];
  if (m > GRID_TOKENS) throw new Error(`sequence position ${s} is past EOS`);
  return [2 * G + Math.floor(m / G), 3 * G + (m % G)];
}

/** Position pairs for positions [from, to) as two int arrays (first rows, second rows). */
export function positionPairs(layout: TokenLayout, from: number, to: number): [Int32Array, Int32Array] {
  const a = new Int32Array(to - from);
  const b = new Int32Array(to - from);
  for (let s = from; s < to; s++) [a[s - from], b[s - from]] = positionPair(layout, s);
  return [a, b];
}

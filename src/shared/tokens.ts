// The model's token layout, shared by the model, the segmenter and the UI.
// Sequence: [image tokens 16x16][text tokens, padded to maxText][region tokens][mask tokens 16x16][EOS].
// One combined vocabulary: mask codes first, then EOS, so the output vocabulary (what the heads
// predict) is exactly ids [0, maskCodes + 1) and decoding needs no remapping; then image codes
// (one block per residual level: a position sums one embedding per level), then text ids, then
// region ids. The region part (a model with `regionBins`) is where the clinician points: a box's
// four corners and up to `regionClicks` clicks, each coordinate one token of a binned axis (box,
// positive click and negative click have their own x and y blocks), absent slots NONE. Beside the
// sequence, such a model reads a prior: per image position, the share of that patch the previous
// answer covered, in PRIOR_LEVELS steps (0 everywhere: no previous answer), added to the image
// embedding like SAM's dense mask prompt. Region ids come last so a model without them keeps its ids.

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
  /** Bins per axis of the region coordinates (absent or 0: no region part, no prior). */
  regionBins?: number;
  /** Clicks the region part holds (with regionBins). */
  regionClicks?: number;
}

/** Steps of the prior's per-patch coverage (level l: the previous answer covered l/PRIOR_LEVELS of it). */
export const PRIOR_LEVELS = 16;
/** Region slots of the box: x0, y0, x1, y1. */
export const BOX_SLOTS = 4;
/** Side of the model's square input, in pixels: region coordinates are in this frame. */
export const INPUT_SIDE = 256;

export interface TokenLayout extends TokenSizes {
  eos: number;
  /** First id of image level 0; level l code c is imageOffset + l * imageCodes + c. */
  imageOffset: number;
  textOffset: number;
  vocab: number;
  /** Ids the heads predict: mask codes and EOS. */
  outputVocab: number;
  /** First region id (NONE); then box x, box y, positive x, positive y, negative x, negative y blocks. */
  regionOffset: number;
  /** Region slots: the box's 4 corners, then 2 per click (0 without a region part). */
  regionSlots: number;
  /** Tokens between the image and the mask: text, then region slots. */
  promptTokens: number;
  /** Prior values a prompt carries after its tokens (GRID_TOKENS with a region part, else 0). */
  priorTokens: number;
  /** Sequence positions before the first mask token (image grid, text, region). */
  prefix: number;
  /** Tokens the decoder produces: the mask grid and EOS. */
  outputs: number;
}

export function tokenLayout(s: TokenSizes): TokenLayout {
  const optional = new Set(['regionBins', 'regionClicks']);
  for (const [k, v] of Object.entries(s)) {
    const least = optional.has(k) ? 0 : 1;
    if (!Number.isInteger(v) || v < least)
      throw new Error(`token layout: ${k} must be an integer ≥ ${least}, got ${v}`);
  }
  const bins = s.regionBins ?? 0;
  const eos = s.maskCodes;
  const imageOffset = eos + 1;
  const textOffset = imageOffset + s.imageLevels * s.imageCodes;
  const regionOffset = textOffset + s.textVocab;
  const regionSlots = bins > 0 ? BOX_SLOTS + 2 * (s.regionClicks ?? 0) : 0;
  return {
    ...s,
    eos,
    imageOffset,
    textOffset,
    regionOffset,
    regionSlots,
    promptTokens: s.maxText + regionSlots,
    priorTokens: bins > 0 ? GRID_TOKENS : 0,
    vocab: regionOffset + (bins > 0 ? 1 + 6 * bins : 0),
    outputVocab: s.maskCodes + 1,
    prefix: GRID_TOKENS + s.maxText + regionSlots,
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
 * (maxText), one "text" row and one "end" row; with a region part, its slots and one "region" row.
 * Each sequence position sums two rows: (row, column) for grid tokens, (slot, text row) for text,
 * (slot, region row) for region tokens, so grid tokens know their 2D place and text its 1D order.
 * EOS is never an input in training; speculative decoding may feed it as a draft, at (end, text row).
 */
export function positionRows(layout: TokenLayout): number {
  return 4 * GRID_SIDE + layout.maxText + 2 + (layout.regionSlots > 0 ? layout.regionSlots + 1 : 0);
}

/** The two position-table rows of sequence position `s` (0 ≤ s ≤ prefix + 256). */
export function positionPair(layout: TokenLayout, s: number): [number, number] {
  const G = GRID_SIDE;
  if (s < GRID_TOKENS) return [Math.floor(s / G), G + (s % G)];
  const textEnd = GRID_TOKENS + layout.maxText;
  if (s < textEnd) return [4 * G + (s - GRID_TOKENS), 4 * G + layout.maxText];
  if (s < layout.prefix) {
    const regionRows = 4 * G + layout.maxText + 2;
    return [regionRows + (s - textEnd), regionRows + layout.regionSlots];
  }
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

/** A point in the model's 256x256 input frame; `positive` false: "not this". */
export interface RegionClick {
  x: number;
  y: number;
  positive: boolean;
}

/** What the clinician pointed at, in the model's 256x256 input frame (pixel edges: 0..256). */
export interface RegionPrompt {
  box?: { x0: number; y0: number; x1: number; y1: number };
  clicks?: readonly RegionClick[];
}

/** The region slots' ids for `region` (NONE where a slot is empty). */
export function regionIds(layout: TokenLayout, region: RegionPrompt, size = INPUT_SIDE): Int32Array {
  const bins = layout.regionBins ?? 0;
  const out = new Int32Array(layout.regionSlots).fill(layout.regionOffset);
  if (layout.regionSlots === 0) {
    if (region.box || region.clicks?.length) throw new Error('this model takes no box or clicks');
    return out;
  }
  const clicks = region.clicks ?? [];
  const most = layout.regionClicks ?? 0;
  if (clicks.length > most) throw new Error(`this model takes at most ${most} clicks, got ${clicks.length}`);
  // block 0: box x, 1: box y, 2/3: positive x/y, 4/5: negative x/y
  const id = (block: number, v: number) => {
    if (!Number.isFinite(v)) throw new Error(`region coordinate ${v} is not a number`);
    const bin = Math.min(bins - 1, Math.max(0, Math.floor((v / size) * bins)));
    return layout.regionOffset + 1 + block * bins + bin;
  };
  const { box } = region;
  if (box) {
    out[0] = id(0, box.x0);
    out[1] = id(1, box.y0);
    // The far edges are exclusive: a box ending at 256 falls in the last bin.
    out[2] = id(0, box.x1 - 1e-6);
    out[3] = id(1, box.y1 - 1e-6);
  }
  clicks.forEach((c, i) => {
    out[BOX_SLOTS + 2 * i] = id(c.positive ? 2 : 4, c.x);
    out[BOX_SLOTS + 2 * i + 1] = id(c.positive ? 3 : 5, c.y);
  });
  return out;
}

/**
 * The prior's levels for a previous answer `mask` on the 256x256 grid (per patch, the share covered, in
 * PRIOR_LEVELS steps); all 0 for no previous answer.
 */
export function priorLevels(mask: { width: number; data: ArrayLike<number> } | null): Int32Array {
  const out = new Int32Array(GRID_TOKENS);
  if (!mask) return out;
  const cell = mask.width / GRID_SIDE;
  if (mask.width !== GRID_SIDE * cell || mask.data.length !== mask.width * mask.width)
    throw new Error('a prior is a square mask of the model grid');
  for (let p = 0; p < GRID_TOKENS; p++) {
    const r = Math.floor(p / GRID_SIDE) * cell;
    const c = (p % GRID_SIDE) * cell;
    let on = 0;
    for (let y = r; y < r + cell; y++) for (let x = c; x < c + cell; x++) on += mask.data[y * mask.width + x] ? 1 : 0;
    out[p] = Math.round((on / (cell * cell)) * PRIOR_LEVELS);
  }
  return out;
}

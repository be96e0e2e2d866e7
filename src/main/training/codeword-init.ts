// Initial parameters that already know what each code looks like. Random embeddings make the model
// discover from scratch that image code 17 is "bright rib edge" and mask code 300 "left half filled",
// which costs far more steps than a 2-core CPU can give. So, before training starts:
// - an image code's embedding row is a fixed random projection of its (centred) codeword pixels, so
//   similar-looking patches start with similar embeddings (levels keep their relative scale);
// - a mask code's row is a projection of its ±1 bit pattern (tied with the output heads, so similar
//   patches also get similar logits; all-background and all-foreground start opposite);
// - the mask grid's position rows start equal to the image grid's, so "the same place" is visible at
//   step 0 (they train apart freely afterwards).
// Everything stays trainable; only the starting point changes.
import { GRID_SIDE, type TokenLayout } from '../../shared/tokens';
import { normal } from '../engine/random';
import type { ParamSpec } from '../engine/train-step';
import { initialParams } from '../engine/trainer';
import type { Tokenizers } from '../segmenter/runtime/tokenizer-set';
import { PATCH_DIM } from '../tokenizers/image-patches';

/** Per-element standard deviation of the projected rows (that of the random token init). */
const ROW_STD = 0.02;
const TOKENS = 'embed.tokens';
const POSITIONS = 'embed.positions';

/** A [PATCH_DIM, width] matrix with N(0, 1) entries. */
function projection(width: number, seed: number): Float32Array {
  const sample = normal(seed);
  return Float32Array.from({ length: PATCH_DIM * width }, sample);
}

/** rows[r] = vectors[r] · P for `count` vectors of PATCH_DIM values, written at row `first` of `table`. */
function project(
  table: Float32Array,
  width: number,
  first: number,
  count: number,
  vector: (r: number, out: Float32Array) => void,
  P: Float32Array,
): void {
  const v = new Float32Array(PATCH_DIM);
  for (let r = 0; r < count; r++) {
    vector(r, v);
    const row = (first + r) * width;
    table.fill(0, row, row + width);
    for (let i = 0; i < PATCH_DIM; i++) {
      const x = v[i] as number;
      if (x === 0) continue;
      for (let d = 0; d < width; d++) table[row + d] = (table[row + d] as number) + x * (P[i * width + d] as number);
    }
  }
}

/** Multiplies rows [first, first + count) so that their per-element RMS is `std`; returns the factor. */
function scaleRows(table: Float32Array, width: number, first: number, count: number, std: number, factor?: number) {
  let sum = 0;
  for (let i = first * width; i < (first + count) * width; i++) sum += (table[i] as number) ** 2;
  const f = factor ?? std / Math.sqrt(sum / (count * width) || 1);
  for (let i = first * width; i < (first + count) * width; i++) table[i] = (table[i] as number) * f;
  return f;
}

export function codewordEmbeddings(
  table: Float32Array,
  layout: TokenLayout,
  width: number,
  t: Tokenizers,
  seed: number,
) {
  if (table.length !== layout.vocab * width) throw new Error(`${TOKENS} must be [${layout.vocab}, ${width}]`);
  const P = projection(width, seed);
  // Mask codes: pixels as ±1.
  const pixels = t.mask.pixels();
  project(
    table,
    width,
    0,
    layout.maskCodes,
    (c, out) => {
      for (let i = 0; i < PATCH_DIM; i++) out[i] = 2 * (pixels[c * PATCH_DIM + i] as number) - 1;
    },
    P,
  );
  scaleRows(table, width, 0, layout.maskCodes, ROW_STD);
  // Image codes: level 0 centred on its mean codeword; residual levels are already centred near 0.
  const mean = new Float32Array(PATCH_DIM);
  const level0 = t.image.level(0);
  for (let c = 0; c < layout.imageCodes; c++)
    for (let i = 0; i < PATCH_DIM; i++)
      mean[i] = (mean[i] as number) + (level0[c * PATCH_DIM + i] as number) / layout.imageCodes;
  let factor: number | undefined;
  for (let l = 0; l < layout.imageLevels; l++) {
    const codes = t.image.level(l);
    const first = layout.imageOffset + l * layout.imageCodes;
    project(
      table,
      width,
      first,
      layout.imageCodes,
      (c, out) => {
        for (let i = 0; i < PATCH_DIM; i++)
          out[i] = (codes[c * PATCH_DIM + i] as number) - (l === 0 ? (mean[i] as number) : 0);
      },
      P,
    );
    // One factor for all levels, set by level 0, so finer levels stay proportionally smaller.
    factor = scaleRows(table, width, first, layout.imageCodes, ROW_STD, factor);
  }
}

/** Copies the image grid's (row, column) position rows onto the mask grid's (see positionPair). */
export function alignGridPositions(table: Float32Array, width: number): void {
  table.copyWithin(2 * GRID_SIDE * width, 0, 2 * GRID_SIDE * width);
}

/** The trainer's starting parameters: seeded random init, then the codeword and position rows above. */
export function codewordInitialParams(
  specs: readonly ParamSpec[],
  seed: number,
  layout: TokenLayout,
  width: number,
  t: Tokenizers,
): Record<string, Float32Array> {
  const values = initialParams(specs, seed);
  const byName = Object.fromEntries(specs.map((p, i) => [p.name, values[i] as Float32Array]));
  const tokens = byName[TOKENS];
  const positions = byName[POSITIONS];
  if (!tokens || !positions) throw new Error(`codeword init needs ${TOKENS} and ${POSITIONS}`);
  codewordEmbeddings(tokens, layout, width, t, seed + 1);
  alignGridPositions(positions, width);
  return byName;
}

import { describe, expect, it } from 'vitest';
import { GRID_SIDE, tokenLayout } from '../../shared/tokens';
import type { Tokenizers } from '../segmenter/runtime/tokenizer-set';
import { ImageCodebook } from '../tokenizers/image-codebook';
import { PATCH_DIM } from '../tokenizers/image-patches';
import { MaskCodebook } from '../tokenizers/mask-codebook';
import { alignGridPositions, codewordEmbeddings } from './codeword-init';

const width = 16;
// Mask codes: background, foreground, left half. Image: 2 levels x 3 codes; codes 0 and 2 of level 0 equal.
const mask = new MaskCodebook(
  Uint32Array.from([...Array(8).fill(0), ...Array(8).fill(0xffffffff), ...Array(8).fill(0xffff)]),
);
const centroids = new Float32Array(2 * 3 * PATCH_DIM);
for (let i = 0; i < PATCH_DIM; i++) {
  centroids[i] = 0.2;
  centroids[PATCH_DIM + i] = 0.9 * (i % 2);
  centroids[2 * PATCH_DIM + i] = 0.2;
  centroids[3 * PATCH_DIM + i] = 0.01 * (i % 3);
}
const image = new ImageCodebook(2, 3, centroids);
const t = { mask, image } as unknown as Tokenizers;
const layout = tokenLayout({ maskCodes: 3, imageLevels: 2, imageCodes: 3, textVocab: 4, maxText: 2 });
const row = (table: Float32Array, r: number) => Array.from(table.subarray(r * width, (r + 1) * width));
const rms = (table: Float32Array, first: number, count: number) =>
  Math.sqrt(table.subarray(first * width, (first + count) * width).reduce((s, x) => s + x * x, 0) / (count * width));

describe('codeword embeddings', () => {
  const table = new Float32Array(layout.vocab * width).fill(7);
  codewordEmbeddings(table, layout, width, t, 5);

  it('gives all-background and all-foreground opposite rows and scales mask rows to the init std', () => {
    const background = row(table, 0);
    const foreground = row(table, 1);
    for (const [d, x] of background.entries()) expect(x).toBeCloseTo(-(foreground[d] as number), 6);
    expect(rms(table, 0, layout.maskCodes)).toBeCloseTo(0.02, 5);
  });

  it('gives equal image codewords equal rows, level 0 the init std and finer levels less', () => {
    const l0 = layout.imageOffset;
    expect(row(table, l0)).toEqual(row(table, l0 + 2));
    expect(row(table, l0)).not.toEqual(row(table, l0 + 1));
    expect(rms(table, l0, 3)).toBeCloseTo(0.02, 5);
    expect(rms(table, l0 + 3, 3)).toBeLessThan(0.02);
    expect(rms(table, l0 + 3, 3)).toBeGreaterThan(0);
  });

  it('leaves EOS and text rows as they were', () => {
    expect(row(table, layout.eos)).toEqual(Array(width).fill(7));
    expect(row(table, layout.textOffset)).toEqual(Array(width).fill(7));
  });

  it('rejects a table of the wrong size', () => {
    expect(() => codewordEmbeddings(new Float32Array(3), layout, width, t, 5)).toThrow(/must be/);
  });
});

describe('alignGridPositions', () => {
  it('copies the image grid rows onto the mask grid rows and nothing else', () => {
    const rows = 4 * GRID_SIDE + 4;
    const table = Float32Array.from({ length: rows * width }, (_, i) => i);
    alignGridPositions(table, width);
    for (let r = 0; r < 2 * GRID_SIDE; r++) expect(row(table, 2 * GRID_SIDE + r)).toEqual(row(table, r));
    expect(row(table, 4 * GRID_SIDE)[0]).toBe(4 * GRID_SIDE * width);
  });
});

import { describe, expect, it } from 'vitest';
import { WORDS } from '../tokenizers/binary-patches';
import { MaskCodebook } from '../tokenizers/mask-codebook';
import { preferExpectedPatch } from './expected-patch';

// Codes: 0 background, 1 foreground, 2 = top half (rows 0-7), 3 = top half but one pixel, 4 = left column.
function codebook(): MaskCodebook {
  const bits = new Uint32Array(5 * WORDS);
  bits.fill(0xffffffff, WORDS, 2 * WORDS);
  bits.fill(0xffffffff, 2 * WORDS, 2 * WORDS + 4);
  bits.fill(0xffffffff, 3 * WORDS, 3 * WORDS + 4);
  bits[3 * WORDS] = 0xfffffffe;
  for (let w = 0; w < WORDS; w++) bits[4 * WORDS + w] = 0x00010001;
  return new MaskCodebook(bits);
}

const logitsFor = (p: number[]) => Float32Array.from(p, Math.log);

describe('expected-patch decoding rule', () => {
  it('leaves background when two near-identical top-half codes together outweigh it', () => {
    // p: background 0.4, top half 0.3, top half minus pixel 0 0.3: the top half's pixels are at 0.6, except
    // pixel 0 (0.3 + 0.0002), so the expected patch is exactly code 3, although background is the argmax.
    const row = logitsFor([0.4, 0.0001, 0.3, 0.2998, 0.0001]);
    expect(row.indexOf(Math.max(...row))).toBe(0);
    expect(preferExpectedPatch(row, codebook())).toBe(3);
    expect(row.indexOf(Math.max(...row))).toBe(3);
  });

  it('keeps background when the foreground mass is under half for every pixel', () => {
    const row = logitsFor([0.55, 0.0001, 0.2, 0.2, 0.0499]);
    expect(preferExpectedPatch(row, codebook())).toBe(0);
  });

  it('agrees with argmax when one code is certain', () => {
    const row = logitsFor([0.001, 0.001, 0.001, 0.001, 0.996]);
    expect(preferExpectedPatch(row, codebook())).toBe(4);
  });
});

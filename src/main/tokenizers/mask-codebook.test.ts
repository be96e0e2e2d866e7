import { describe, expect, it } from 'vitest';
import { blankMask, fillRect } from '../data/test-masks';
import type { Mask } from '../imaging/resample';
import { hamming, packPatch, popcount32, WORDS } from './binary-patches';
import { BACKGROUND_CODE, FOREGROUND_CODE, MaskCodebook } from './mask-codebook';
import { learnMaskCodebook, PatchCounts } from './mask-codebook-learning';

function disc(cx: number, cy: number, r: number): Mask {
  const m = blankMask(256, 256);
  for (let y = 0; y < 256; y++)
    for (let x = 0; x < 256; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) m.data[y * 256 + x] = 1;
  return m;
}

function dice(a: Mask, b: Mask): number {
  let inter = 0;
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    inter += (a.data[i] as number) & (b.data[i] as number);
    sum += (a.data[i] as number) + (b.data[i] as number);
  }
  return sum === 0 ? 1 : (2 * inter) / sum;
}

const training = [disc(100, 120, 60), disc(170, 90, 33), fillRect(blankMask(256, 256), 37, 21, 200, 180)];

function learned(size = 64): MaskCodebook {
  const counts = new PatchCounts();
  for (const m of training) counts.add(m);
  return learnMaskCodebook(counts.toArrays(), { size, iterations: 5 });
}

describe('binary patches', () => {
  it('counts bits and Hamming distance', () => {
    expect([0, 1, 0xff, 0xffffffff, 0x80000001].map(popcount32)).toEqual([0, 1, 8, 32, 2]);
    const a = new Uint32Array(WORDS);
    const b = new Uint32Array(WORDS).fill(0xf);
    expect(hamming(a, 0, b, 0)).toBe(4 * WORDS);
  });

  it('packs row 2w and 2w+1 of a patch into word w', () => {
    const m = fillRect(blankMask(256, 256), 16, 16 + 3, 16 + 1, 16 + 3); // grid (1,1), row 3, columns 0 and 1
    const out = new Uint32Array(WORDS);
    packPatch(m, 1, 1, out);
    expect(Array.from(out)).toEqual([0, (1 << 16) | (1 << 17), 0, 0, 0, 0, 0, 0]);
  });
});

describe('mask codebook', () => {
  it('always has all-background and all-foreground codes and uses them exactly', () => {
    const codebook = learned();
    const tokens = codebook.encode(training[2] as Mask);
    expect(tokens[0]).toBe(BACKGROUND_CODE);
    expect(tokens[8 * 16 + 8]).toBe(FOREGROUND_CODE);
  });

  it('round-trips its training masks exactly when K covers every distinct patch', () => {
    const counts = new PatchCounts();
    for (const m of training) counts.add(m);
    const codebook = learnMaskCodebook(counts.toArrays(), { size: counts.distinct + 2, iterations: 2 });
    for (const m of training) expect(codebook.decode(codebook.encode(m)).data).toEqual(m.data);
  });

  it('round-trips an unseen shape closely with a small codebook', () => {
    const codebook = learned(48);
    const unseen = disc(128, 140, 47);
    expect(dice(codebook.decode(codebook.encode(unseen)), unseen)).toBeGreaterThan(0.97);
  });

  it('never lets a small lesion vanish into the background code', () => {
    // Learned only on big shapes, the codebook's nearest code to a 2-pixel speck is all-background by
    // Hamming distance (2); a mixed code is chosen instead, so the image still has a lesion.
    const speck = fillRect(blankMask(256, 256), 100, 100, 101, 100);
    const tokens = learned(16).encode(speck);
    expect(tokens[6 * 16 + 6]).not.toBe(BACKGROUND_CODE);
    expect(
      learned(16)
        .decode(tokens)
        .data.some((v, i) => v === 1 && Math.floor(i / 256) >> 4 === 6),
    ).toBe(true);
  });

  it('learns the clean pattern from noisy copies by weighted majority', () => {
    // 5 copies of a half-filled patch with one flipped bit each (a different bit every time) vote for the clean half.
    const clean = new Uint32Array(WORDS).fill(0x0000ffff);
    const bits = new Uint32Array(5 * WORDS);
    for (let i = 0; i < 5; i++) {
      bits.set(clean, i * WORDS);
      bits[i * WORDS + i] = (bits[i * WORDS + i] as number) ^ (1 << (20 + i));
    }
    const codebook = learnMaskCodebook({ bits, weights: new Float64Array(5).fill(1) }, { size: 3, iterations: 3 });
    expect(Array.from(codebook.bits.subarray(2 * WORDS, 3 * WORDS))).toEqual(Array.from(clean));
  });

  it("lists each codeword's foreground pixels, in the bit order of pixels()", () => {
    const bits = new Uint32Array(3 * WORDS);
    bits.fill(0xffffffff, WORDS, 2 * WORDS);
    bits[2 * WORDS] = 0b101; // pixels 0 and 2 of row 0
    bits[2 * WORDS + 7] = 0x80000000; // pixel 255, the last of row 15
    const book = new MaskCodebook(bits);
    const { start, pixel } = book.foreground();
    expect(Array.from(start)).toEqual([0, 0, 256, 259]);
    expect(Array.from(pixel.subarray(256))).toEqual([0, 2, 255]);
    const table = book.pixels();
    expect([0, 2, 255].every((j) => table[2 * 256 + j] === 1)).toBe(true);
  });

  it('serializes and parses to the same codebook, and refuses other files', () => {
    const codebook = learned();
    const parsed = MaskCodebook.parse(codebook.serialize());
    expect(parsed.bits).toEqual(codebook.bits);
    expect(() => MaskCodebook.parse(Buffer.from('nope, not a codebook'))).toThrow(/not a NextMask mask codebook/);
    const truncated = codebook.serialize().subarray(0, 100);
    expect(() => MaskCodebook.parse(truncated)).toThrow(/size does not match/);
  });

  it('detokenizes to the source size and refuses bad tokens', () => {
    const codebook = learned();
    const m = training[2] as Mask;
    const big = codebook.detokenize(codebook.encode(m), 512, 400);
    expect([big.width, big.height]).toEqual([512, 400]);
    expect(big.data[200 * 512 + 256]).toBe(1);
    expect(big.data[5]).toBe(0);
    expect(() => codebook.decode(new Uint16Array(256).fill(9999))).toThrow(/not in the codebook/);
    expect(() => codebook.decode(new Uint16Array(10))).toThrow(/expected 256/);
    expect(() => codebook.encode(blankMask(64, 64))).toThrow(/must be 256x256/);
  });
});

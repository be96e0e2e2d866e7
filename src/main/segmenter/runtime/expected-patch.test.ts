import { describe, expect, it } from 'vitest';
import type { TokenLayout } from '../../../shared/tokens';
import { createRng } from '../../data/rng';
import { WORDS } from '../../tokenizers/binary-patches';
import { MaskCodebook } from '../../tokenizers/mask-codebook';
import { argmaxAt, type DecoderSession, greedyDecode } from './decoding';
import { ExpectedPatchSession, preferExpectedPatch } from './expected-patch';

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

  it('takes the top half at a lower threshold where 0.5 leaves background', () => {
    // The top half's pixels are at 0.43 (0.48 in column 0), pixel 0 at 0.27.
    const p = [0.52, 0.0001, 0.22, 0.21, 0.0499];
    expect(preferExpectedPatch(logitsFor(p), codebook())).toBe(0);
    expect(preferExpectedPatch(logitsFor(p), codebook(), 0.4)).toBe(3);
    expect(preferExpectedPatch(logitsFor(p), codebook(), 0.3)).toBe(3);
    expect(() => preferExpectedPatch(logitsFor(p), codebook(), 0.6)).toThrow(/threshold must be in \(0, 0.5\]/);
  });

  it('agrees with argmax when one code is certain', () => {
    const row = logitsFor([0.001, 0.001, 0.001, 0.001, 0.996]);
    expect(preferExpectedPatch(row, codebook())).toBe(4);
  });
});

/** The rule written out directly: full softmax, every code's share of every pixel, threshold, nearest code. */
function expectedPatchDirect(row: Float32Array, book: MaskCodebook, threshold: number): number {
  const max = Math.max(...row);
  const e = Array.from(row, (v) => Math.exp(v - max));
  const z = e.reduce((s, v) => s + v, 0);
  const pixels = book.pixels();
  const patch = new Uint32Array(WORDS);
  for (let j = 0; j < 256; j++) {
    let p = 0;
    for (let c = 0; c < book.size; c++) p += ((e[c] as number) / z) * (pixels[c * 256 + j] as number);
    if (p >= threshold) patch[j >> 5] = ((patch[j >> 5] as number) | (1 << (j & 31))) >>> 0;
  }
  return book.nearest(patch);
}

describe('expected-patch rule, shortcuts', () => {
  // 40 codes: the two flat ones, then random blobs of different sizes.
  const rng = createRng(7);
  const random = () => rng.next();
  const bits = new Uint32Array(40 * WORDS);
  bits.fill(0xffffffff, WORDS, 2 * WORDS);
  for (let c = 2; c < 40; c++) {
    const density = random();
    for (let w = 0; w < WORDS; w++) {
      let word = 0;
      for (let b = 0; b < 32; b++) if (random() < density) word |= 1 << b;
      bits[c * WORDS + w] = word >>> 0;
    }
    if (bits.subarray(c * WORDS, (c + 1) * WORDS).every((w) => w === 0)) bits[c * WORDS] = 1;
  }
  const book = new MaskCodebook(bits);

  it.each([0.5, 0.4, 0.3])(
    'gives the code of the direct computation on confident, flat-ish and spread rows (t = %s)',
    (t) => {
      const kinds = { flat: 0, mixed: 0 };
      for (let r = 0; r < 400; r++) {
        const spread = [0.5, 2, 6, 12][r % 4] as number;
        const row = Float32Array.from({ length: book.size }, () => (random() - 0.5) * spread);
        if (r % 3 === 0) row[r % 2] = (row[r % 2] as number) + spread * 0.6; // a flat code near or over one half
        const expected = expectedPatchDirect(row, book, t);
        const chosen = preferExpectedPatch(row, book, t);
        expect(chosen, `row ${r}`).toBe(expected);
        expect(row.indexOf(Math.max(...row))).toBe(chosen);
        kinds[chosen < 2 ? 'flat' : 'mixed']++;
      }
      expect(kinds.flat).toBeGreaterThan(20);
      expect(kinds.mixed).toBeGreaterThan(20);
    },
  );

  it.each([0.5, 0.4, 0.3])(
    'gives the code of the direct computation when a flat code holds near 1 − t or 1/2 (t = %s)',
    (t) => {
      let mixed = 0;
      for (let r = 0; r < 300; r++) {
        const p = new Array<number>(book.size).fill(1e-6);
        const flat = r % 2;
        p[flat] = 0.3 + 0.5 * random(); // 0.3–0.8: the shortcuts decide near 1/2 and 1 − t
        const others = [2 + Math.floor(random() * 38), 2 + Math.floor(random() * 38), 2 + Math.floor(random() * 38)];
        const share = others.map(() => random());
        const total = share.reduce((a, b) => a + b, 0);
        others.forEach((c, i) => {
          p[c] = (p[c] as number) + ((1 - (p[flat] as number)) * (share[i] as number)) / total;
        });
        const row = logitsFor(p);
        const expected = expectedPatchDirect(row, book, t);
        expect(preferExpectedPatch(row, book, t), `row ${r}`).toBe(expected);
        if (expected >= 2) mixed++;
      }
      expect(mixed).toBeGreaterThan(30);
    },
  );
});

describe('ExpectedPatchSession', () => {
  it('rewrites head 1 rows as they are read and leaves the drafting heads to their argmax', async () => {
    const book = codebook();
    const layout = { maskCodes: book.size } as TokenLayout;
    // Two positions, two heads, vocab = 5 codes + EOS; every row is the top-half example above.
    const row = [...logitsFor([0.4, 0.0001, 0.3, 0.2998, 0.0001]), -5];
    const data = new Float32Array(24);
    for (let r = 0; r < 4; r++) data.set(row, r * 6);
    const inner: DecoderSession = {
      length: 0,
      truncate: () => {},
      extend: async () => ({ positions: 2, heads: 2, vocab: 6, data: data.slice() }),
    };
    const logits = await new ExpectedPatchSession(inner, book, layout).extend(new Int32Array(1));
    expect(argmaxAt(logits, 1, 0, [0, 5])).toBe(3);
    expect(argmaxAt(logits, 1, 1, [0, 5])).toBe(0);
    expect(argmaxAt(logits, 0, 0, [0, 5])).toBe(3);
  });
});

describe('ExpectedPatchSession probability map', () => {
  it('writes the expected patch behind each decoded output at its grid position', async () => {
    const book = codebook();
    const layout = { maskCodes: book.size } as TokenLayout;
    // Top half: codes 2 and 3 (3 lacks pixel 0) hold 0.3 + 0.3, the foreground code 0.002.
    const row = [...logitsFor([0.398, 0.002, 0.3, 0.3, 1e-7]), -5];
    let length = 0;
    const inner: DecoderSession = {
      get length() {
        return length;
      },
      truncate: (n) => {
        length = n;
      },
      // A prompt of 6 ids fills 3 positions (several ids per image position) and, like prefill, gives
      // logits at its last position only; later calls give one row per token fed.
      extend: async (tokens) => {
        const positions = length === 0 ? 1 : tokens.length;
        length += length === 0 ? 3 : tokens.length;
        const data = new Float32Array(positions * 6);
        for (let r = 0; r < positions; r++) data.set(row, r * 6);
        return { positions, heads: 1, vocab: 6, data };
      },
    };
    const map = new Float32Array(256 * 256).fill(-1);
    const session = new ExpectedPatchSession(inner, book, layout, 0.5, map);
    const tokens = await greedyDecode(session, new Int32Array(6), { steps: 2, allowed: () => [0, 5] });
    expect(Array.from(tokens.tokens)).toEqual([3, 3]); // pixel 0 stays under 0.5
    for (const left of [0, 16]) {
      expect(map[left]).toBeCloseTo(0.302, 5); // pixel 0: only code 2 and the foreground code
      expect(map[left + 1]).toBeCloseTo(0.602, 5);
      expect(map[7 * 256 + left + 15]).toBeCloseTo(0.602, 5);
      expect(map[8 * 256 + left]).toBeCloseTo(0.002, 5);
    }
    expect(map[32]).toBe(-1); // grid position 2 was never decoded
    expect(map[16 * 256]).toBe(-1);
  });

  it('refuses a map of the wrong size', () => {
    const inner: DecoderSession = {
      length: 0,
      truncate: () => {},
      extend: async () => ({ positions: 0, heads: 1, vocab: 6, data: new Float32Array(0) }),
    };
    expect(
      () => new ExpectedPatchSession(inner, codebook(), { maskCodes: 5 } as TokenLayout, 0.5, new Float32Array(10)),
    ).toThrow(/256x256/);
  });
});

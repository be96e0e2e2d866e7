// 16x16 binary patches packed as 256 bits (8 little-endian 32-bit words, two patch rows per word),
// so the distance between two patches is a Hamming distance: XOR and popcount, word by word.
import type { Mask } from '../imaging/resample';
import { PATCH } from './grid';

export const WORDS = 8;

/** Packs the patch at grid position (gy, gx) of a 256x256 mask into `out` at word offset `at`. */
export function packPatch(mask: Mask, gy: number, gx: number, out: Uint32Array, at = 0): void {
  for (let w = 0; w < WORDS; w++) {
    let word = 0;
    for (let b = 0; b < 32; b++) {
      const y = gy * PATCH + 2 * w + (b >> 4);
      const x = gx * PATCH + (b & 15);
      if (mask.data[y * mask.width + x] !== 0) word |= 1 << b;
    }
    out[at + w] = word >>> 0;
  }
}

/** Writes the patch in `bits` at word offset `at` to grid position (gy, gx) of a 256x256 mask. */
export function unpackPatch(bits: Uint32Array, at: number, mask: Mask, gy: number, gx: number): void {
  for (let w = 0; w < WORDS; w++) {
    const word = bits[at + w] as number;
    for (let b = 0; b < 32; b++) {
      const y = gy * PATCH + 2 * w + (b >> 4);
      const x = gx * PATCH + (b & 15);
      mask.data[y * mask.width + x] = (word >>> b) & 1;
    }
  }
}

export function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
}

export function hamming(a: Uint32Array, aAt: number, b: Uint32Array, bAt: number): number {
  let d = 0;
  for (let w = 0; w < WORDS; w++) d += popcount32(((a[aAt + w] as number) ^ (b[bAt + w] as number)) >>> 0);
  return d;
}

/** 0 for an all-background patch, 1 for all-foreground, -1 otherwise. */
export function uniformValue(bits: Uint32Array, at: number): 0 | 1 | -1 {
  let and = 0xffffffff;
  let or = 0;
  for (let w = 0; w < WORDS; w++) {
    and &= bits[at + w] as number;
    or |= bits[at + w] as number;
  }
  if (or === 0) return 0;
  return and >>> 0 === 0xffffffff ? 1 : -1;
}

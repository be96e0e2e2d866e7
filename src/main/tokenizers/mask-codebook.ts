// The mask tokenizer: each 16x16 patch of a 256x256 binary mask becomes the index of its nearest
// codeword (Hamming distance). Codes 0 and 1 are always all-background and all-foreground.
// Detokenizing looks the codewords up, then resizes to the source image (see docs/DATA.md).
import { type Mask, resizeMaskSmooth, resizeNearest } from '../imaging/resample';
import { hamming, packPatch, uniformValue, unpackPatch, WORDS } from './binary-patches';
import { assertGridSized, GRID, GRID_PIXELS, POSITIONS } from './grid';

export const BACKGROUND_CODE = 0;
export const FOREGROUND_CODE = 1;
/** Codes from here on are mixed patches (learned). */
export const FIRST_MIXED_CODE = 2;

const MAGIC = 'NMMK';
const VERSION = 1;
const HEADER_BYTES = 16;

export class MaskCodebook {
  /** K codewords, WORDS (8) 32-bit words each. */
  readonly bits: Uint32Array;
  readonly size: number;

  constructor(bits: Uint32Array) {
    if (bits.length % WORDS !== 0 || bits.length < 3 * WORDS)
      throw new Error('a mask codebook needs at least 3 codewords (two flat, one mixed)');
    if (uniformValue(bits, 0) !== 0 || uniformValue(bits, WORDS) !== 1) {
      throw new Error('mask codebook: code 0 must be all-background and code 1 all-foreground');
    }
    this.bits = bits;
    this.size = bits.length / WORDS;
  }

  private pixelTable: Uint8Array | null = null;

  /** Every codeword as 256 0/1 bytes (code c's pixel j at c * 256 + j, row-major), built once on first use. */
  pixels(): Uint8Array {
    if (!this.pixelTable) {
      const table = new Uint8Array(this.size * 256);
      // Bit j of a codeword is pixel j: word j >> 5 holds patch rows 2w and 2w+1.
      for (let c = 0; c < this.size; c++)
        for (let j = 0; j < 256; j++)
          table[c * 256 + j] = ((this.bits[c * WORDS + (j >> 5)] as number) >>> (j & 31)) & 1;
      this.pixelTable = table;
    }
    return this.pixelTable;
  }

  private foregroundLists: { start: Uint32Array; pixel: Uint8Array } | null = null;

  /** Each codeword's foreground pixel indices (code c's are pixel[start[c]..start[c + 1])), built once on first use. */
  foreground(): { start: Uint32Array; pixel: Uint8Array } {
    if (!this.foregroundLists) {
      const table = this.pixels();
      const start = new Uint32Array(this.size + 1);
      for (let c = 0; c < this.size; c++) {
        let n = 0;
        for (let j = 0; j < 256; j++) n += table[c * 256 + j] as number;
        start[c + 1] = (start[c] as number) + n;
      }
      const pixel = new Uint8Array(start[this.size] as number);
      for (let c = 0, at = 0; c < this.size; c++) for (let j = 0; j < 256; j++) if (table[c * 256 + j]) pixel[at++] = j;
      this.foregroundLists = { start, pixel };
    }
    return this.foregroundLists;
  }

  /** The nearest codeword to the patch at word offset `at` of `patch`. */
  nearest(patch: Uint32Array, at = 0): number {
    const flat = uniformValue(patch, at);
    if (flat === 0) return BACKGROUND_CODE;
    if (flat === 1) return FOREGROUND_CODE;
    // A mixed patch never becomes a flat code: a lesion smaller than its distance to every mixed code
    // would otherwise vanish, and an image whose only lesion vanishes scores Dice 0.
    let best = 0;
    let bestDistance = Number.POSITIVE_INFINITY;
    for (let k = FIRST_MIXED_CODE; k < this.size; k++) {
      const d = hamming(patch, at, this.bits, k * WORDS);
      if (d < bestDistance) {
        bestDistance = d;
        best = k;
      }
    }
    return best;
  }

  /** 256 tokens, row-major over the 16x16 grid, for a 256x256 binary mask. */
  encode(mask: Mask): Uint16Array {
    assertGridSized(mask.width, mask.height, 'mask');
    const tokens = new Uint16Array(POSITIONS);
    const patch = new Uint32Array(WORDS);
    for (let gy = 0; gy < GRID; gy++) {
      for (let gx = 0; gx < GRID; gx++) {
        packPatch(mask, gy, gx, patch);
        tokens[gy * GRID + gx] = this.nearest(patch);
      }
    }
    return tokens;
  }

  /** The 256x256 mask the tokens stand for. */
  decode(tokens: ArrayLike<number>): Mask {
    if (tokens.length !== POSITIONS) throw new Error(`expected ${POSITIONS} mask tokens, got ${tokens.length}`);
    const mask: Mask = { width: GRID_PIXELS, height: GRID_PIXELS, data: new Uint8Array(GRID_PIXELS * GRID_PIXELS) };
    for (let i = 0; i < POSITIONS; i++) {
      const code = tokens[i] as number;
      if (!Number.isInteger(code) || code < 0 || code >= this.size)
        throw new Error(`mask token ${code} is not in the codebook`);
      unpackPatch(this.bits, code * WORDS, mask, Math.floor(i / GRID), i % GRID);
    }
    return mask;
  }

  /**
   * Tokens → mask at the source image's size. `smooth` resizes through bilinear interpolation and a 0.5
   * threshold, which rounds off the patch staircase; otherwise nearest neighbour.
   */
  detokenize(tokens: ArrayLike<number>, width: number, height: number, smooth = true): Mask {
    const mask = this.decode(tokens);
    if (width === GRID_PIXELS && height === GRID_PIXELS) return mask;
    return smooth ? resizeMaskSmooth(mask, width, height) : resizeNearest(mask, width, height);
  }

  /** Binary file: "NMMK", u32 version, u32 K, u32 patch side (16), then K x 8 u32 words, all little-endian. */
  serialize(): Buffer {
    const out = Buffer.alloc(HEADER_BYTES + this.bits.length * 4);
    out.write(MAGIC, 0, 'ascii');
    out.writeUInt32LE(VERSION, 4);
    out.writeUInt32LE(this.size, 8);
    out.writeUInt32LE(16, 12);
    for (let i = 0; i < this.bits.length; i++) out.writeUInt32LE(this.bits[i] as number, HEADER_BYTES + 4 * i);
    return out;
  }

  static parse(bytes: Uint8Array): MaskCodebook {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buf.length < HEADER_BYTES || buf.toString('ascii', 0, 4) !== MAGIC)
      throw new Error('not a NextMask mask codebook');
    const version = buf.readUInt32LE(4);
    if (version !== VERSION) throw new Error(`mask codebook version ${version} is not supported`);
    const size = buf.readUInt32LE(8);
    if (buf.readUInt32LE(12) !== 16) throw new Error('mask codebook: patch side must be 16');
    if (buf.length !== HEADER_BYTES + size * WORDS * 4)
      throw new Error('mask codebook: file size does not match its header');
    const bits = new Uint32Array(size * WORDS);
    for (let i = 0; i < bits.length; i++) bits[i] = buf.readUInt32LE(HEADER_BYTES + 4 * i);
    return new MaskCodebook(bits);
  }
}

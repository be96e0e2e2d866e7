// The image tokenizer: residual vector quantisation of 16x16 patches. Level 0 quantises the patch,
// each further level quantises what the levels before it left over, so a position's code is one
// token per level and its picture (and, in the model, its embedding) is the sum over levels.
import type { Plane } from '../imaging/resample';
import { POSITIONS } from './grid';
import { imageToPatches, PATCH_DIM, patchesToImage } from './image-patches';
import { centroidNorms, nearestCentroid } from './nearest-centroid';

const MAGIC = 'NMIK';
const VERSION = 1;
const HEADER_BYTES = 20;

export class ImageCodebook {
  readonly levels: number;
  readonly size: number;
  /** levels x size x 256 floats. */
  readonly centroids: Float32Array;
  private readonly norms: Float32Array[];

  constructor(levels: number, size: number, centroids: Float32Array) {
    if (centroids.length !== levels * size * PATCH_DIM) throw new Error('image codebook: wrong number of values');
    this.levels = levels;
    this.size = size;
    this.centroids = centroids;
    this.norms = Array.from({ length: levels }, (_, l) => centroidNorms(this.level(l), size, PATCH_DIM));
  }

  level(l: number): Float32Array {
    return this.centroids.subarray(l * this.size * PATCH_DIM, (l + 1) * this.size * PATCH_DIM);
  }

  /** levels x 256 tokens (level-major, positions row-major) for a 256x256 image in [0, 1]. */
  encode(image: Plane<Float32Array>): Uint16Array {
    const residual = imageToPatches(image);
    const tokens = new Uint16Array(this.levels * POSITIONS);
    for (let l = 0; l < this.levels; l++) {
      const codes = this.level(l);
      for (let p = 0; p < POSITIONS; p++) {
        const c = nearestCentroid(residual, p * PATCH_DIM, codes, this.norms[l] as Float32Array, this.size, PATCH_DIM);
        tokens[l * POSITIONS + p] = c;
        for (let j = 0; j < PATCH_DIM; j++) {
          residual[p * PATCH_DIM + j] = (residual[p * PATCH_DIM + j] as number) - (codes[c * PATCH_DIM + j] as number);
        }
      }
    }
    return tokens;
  }

  /** The image the tokens stand for (sum of each level's codeword); `levels` may be fewer than all. */
  decode(tokens: ArrayLike<number>, levels = this.levels): Plane<Float32Array> {
    if (tokens.length !== this.levels * POSITIONS) throw new Error(`expected ${this.levels * POSITIONS} image tokens`);
    const patches = new Float32Array(POSITIONS * PATCH_DIM);
    for (let l = 0; l < levels; l++) {
      const codes = this.level(l);
      for (let p = 0; p < POSITIONS; p++) {
        const c = tokens[l * POSITIONS + p] as number;
        if (!Number.isInteger(c) || c < 0 || c >= this.size) throw new Error(`image token ${c} is not in the codebook`);
        for (let j = 0; j < PATCH_DIM; j++) {
          patches[p * PATCH_DIM + j] = (patches[p * PATCH_DIM + j] as number) + (codes[c * PATCH_DIM + j] as number);
        }
      }
    }
    return patchesToImage(patches);
  }

  /** "NMIK", u32 version, u32 levels, u32 K, u32 patch side (16), then levels x K x 256 float32, little-endian. */
  serialize(): Buffer {
    const out = Buffer.alloc(HEADER_BYTES + this.centroids.length * 4);
    out.write(MAGIC, 0, 'ascii');
    out.writeUInt32LE(VERSION, 4);
    out.writeUInt32LE(this.levels, 8);
    out.writeUInt32LE(this.size, 12);
    out.writeUInt32LE(16, 16);
    for (let i = 0; i < this.centroids.length; i++) out.writeFloatLE(this.centroids[i] as number, HEADER_BYTES + 4 * i);
    return out;
  }

  static parse(bytes: Uint8Array): ImageCodebook {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buf.length < HEADER_BYTES || buf.toString('ascii', 0, 4) !== MAGIC)
      throw new Error('not a NextMask image codebook');
    const version = buf.readUInt32LE(4);
    if (version !== VERSION) throw new Error(`image codebook version ${version} is not supported`);
    const levels = buf.readUInt32LE(8);
    const size = buf.readUInt32LE(12);
    if (buf.readUInt32LE(16) !== 16) throw new Error('image codebook: patch side must be 16');
    const count = levels * size * PATCH_DIM;
    if (buf.length !== HEADER_BYTES + count * 4) throw new Error('image codebook: file size does not match its header');
    const centroids = new Float32Array(count);
    for (let i = 0; i < count; i++) centroids[i] = buf.readFloatLE(HEADER_BYTES + 4 * i);
    return new ImageCodebook(levels, size, centroids);
  }
}

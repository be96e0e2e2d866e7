// A 256x256 greyscale image as 256 patch vectors of 256 values (row-major positions, row-major pixels).
import type { Plane } from '../imaging/resample';
import { assertGridSized, GRID, PATCH, POSITIONS } from './grid';

export const PATCH_DIM = PATCH * PATCH;

export function imageToPatches(image: Plane<Float32Array>): Float32Array {
  assertGridSized(image.width, image.height, 'image');
  const out = new Float32Array(POSITIONS * PATCH_DIM);
  for (let p = 0; p < POSITIONS; p++) {
    const y0 = Math.floor(p / GRID) * PATCH;
    const x0 = (p % GRID) * PATCH;
    for (let dy = 0; dy < PATCH; dy++) {
      const row = (y0 + dy) * image.width + x0;
      out.set(image.data.subarray(row, row + PATCH), p * PATCH_DIM + dy * PATCH);
    }
  }
  return out;
}

export function patchesToImage(patches: Float32Array): Plane<Float32Array> {
  const side = GRID * PATCH;
  const data = new Float32Array(side * side);
  for (let p = 0; p < POSITIONS; p++) {
    const y0 = Math.floor(p / GRID) * PATCH;
    const x0 = (p % GRID) * PATCH;
    for (let dy = 0; dy < PATCH; dy++) {
      data.set(patches.subarray(p * PATCH_DIM + dy * PATCH, p * PATCH_DIM + (dy + 1) * PATCH), (y0 + dy) * side + x0);
    }
  }
  return { width: side, height: side, data };
}

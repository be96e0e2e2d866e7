// Small synthetic masks for the data and tokenizer tests.
import type { Mask } from '../imaging/resample';

export function blankMask(width: number, height: number): Mask {
  return { width, height, data: new Uint8Array(width * height) };
}

/** Sets the inclusive rectangle [x0..x1] x [y0..y1] to 1, in place; returns the mask. */
export function fillRect(mask: Mask, x0: number, y0: number, x1: number, y1: number): Mask {
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) mask.data[y * mask.width + x] = 1;
  return mask;
}

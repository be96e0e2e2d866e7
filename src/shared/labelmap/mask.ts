// A binary mask over one image frame: one byte per pixel, 0 or 1, row-major. Every editing
// tool works on this shape; segments hold one per frame.

export interface Mask {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export interface Point {
  x: number;
  y: number;
}

/** The pixel rectangle a tool touched, so callers redraw and diff only that. Empty when x1 < x0. */
export interface Rect {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export const EMPTY_RECT: Rect = { x0: 0, y0: 0, x1: -1, y1: -1 };

export function createMask(width: number, height: number): Mask {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`mask size must be positive integers, got ${width}x${height}`);
  }
  return { width, height, data: new Uint8Array(width * height) };
}

export function cloneMask(mask: Mask): Mask {
  return { width: mask.width, height: mask.height, data: mask.data.slice() };
}

export function countSet(mask: Mask): number {
  let n = 0;
  for (const v of mask.data) n += v;
  return n;
}

export function masksEqual(a: Mask, b: Mask): boolean {
  if (a.width !== b.width || a.height !== b.height) return false;
  for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) return false;
  return true;
}

export function unionRect(a: Rect, b: Rect): Rect {
  if (a.x1 < a.x0) return b;
  if (b.x1 < b.x0) return a;
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

/** Sets every pixel to 0; returns the whole frame as touched. */
export function clearMask(mask: Mask): Rect {
  mask.data.fill(0);
  return { x0: 0, y0: 0, x1: mask.width - 1, y1: mask.height - 1 };
}

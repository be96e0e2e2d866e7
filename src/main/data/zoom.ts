// Zoomed training draws: a square window of the film around the target, 2–4× the target's extent, so
// the model sees small findings (most BTXRD lesions cover under 2% of the film) at more pixels per patch —
// what a zoomed second pass at inference would show it (docs/MODEL.md: without such training it hurts).
import type { Mask } from './resample';
import { type Rng, uniform } from './rng';

export interface Window {
  x: number;
  y: number;
  side: number;
}

/** A rectangle of source pixels (a Window is a square one). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Range of the window's side as a multiple of the target's larger extent. */
export const ZOOM_RANGE: readonly [number, number] = [2, 4];

/**
 * A random square window holding all of the target, its side `ZOOM_RANGE` × the target's larger extent
 * (at least a quarter of the film's short side, at most the short side), placed at random around it.
 * null for an empty target (nothing to zoom on).
 */
export function zoomWindow(target: Mask, rng: Rng): Window | null {
  const box = foregroundBounds(target);
  if (!box) return null;
  const { x0, y0, x1, y1 } = box;
  const { width: W, height: H } = target;
  const short = Math.min(W, H);
  const extent = Math.max(x1 - x0 + 1, y1 - y0 + 1);
  const side = Math.round(Math.min(short, Math.max(short / 4, extent * uniform(rng, ...ZOOM_RANGE))));
  // Anywhere that keeps the target inside (when it fits) and the window on the film.
  const place = (lo: number, hi: number, size: number) => {
    const from = Math.max(0, hi + 1 - side);
    const to = Math.min(size - side, lo);
    return Math.round(
      from <= to ? uniform(rng, from, to) : Math.max(0, Math.min(size - side, (lo + hi + 1 - side) / 2)),
    );
  };
  return { x: place(x0, x1, W), y: place(y0, y1, H), side };
}

/** The smallest box (inclusive corners) holding every foreground pixel; null for an empty mask. */
export function foregroundBounds(mask: Mask): { x0: number; y0: number; x1: number; y1: number } | null {
  const { width: W, height: H, data } = mask;
  let x0 = W;
  let y0 = H;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (!data[y * W + x]) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

/** The window's pixels of a row-major plane (any sample type), as a new plane of the same kind. */
export function cropWindow<T extends { width: number; height: number; data: Uint8Array | Uint16Array | Float32Array }>(
  plane: T,
  w: Window,
): T {
  return cropBox(plane, { x: w.x, y: w.y, width: w.side, height: w.side });
}

/** The box's pixels of a row-major plane (any sample type), as a new plane of the same kind. */
export function cropBox<T extends { width: number; height: number; data: Uint8Array | Uint16Array | Float32Array }>(
  plane: T,
  box: Box,
): T {
  const Ctor = plane.data.constructor as new (n: number) => T['data'];
  const data = new Ctor(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    const from = (box.y + y) * plane.width + box.x;
    data.set(plane.data.subarray(from, from + box.width), y * box.width);
  }
  return { ...plane, width: box.width, height: box.height, data };
}

/**
 * The window a zoomed second look goes through at inference: a square `factor` × the answer's larger
 * extent (at least a quarter of the film's short side, at most the short side, as in training's
 * zoomWindow), centred on the answer and kept on the film. null for an empty answer.
 */
export function windowAround(answer: Mask, factor: number): Window | null {
  const box = foregroundBounds(answer);
  if (!box) return null;
  const { width: W, height: H } = answer;
  const short = Math.min(W, H);
  const extent = Math.max(box.x1 - box.x0 + 1, box.y1 - box.y0 + 1);
  const side = Math.min(short, Math.max(Math.round(extent * factor), Math.round(short / 4)));
  const clamp = (centre: number, size: number) => Math.max(0, Math.min(size - side, Math.round(centre - side / 2)));
  return { x: clamp((box.x0 + box.x1 + 1) / 2, W), y: clamp((box.y0 + box.y1 + 1) / 2, H), side };
}

// The zoomed decode's window: a square of the source film around a box (the box plus a margin, never
// smaller than a minimum context), brought to the model's grid, and the grid's answer brought back.
// Square, because the model's input is square and a stretched crop would change the lesion's shape; a
// window past the film's edge is padded with black (film borders are black), not shifted, so the target
// stays at the window's centre as training placed it.
import type { Plane } from './resample';

/** A rectangle in source pixels: x0 ≤ x < x1, y0 ≤ y < y1 (fractional edges allowed). */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** A square window of the source: top-left corner and side, in source pixels (may reach past the film). */
export interface ZoomWindow {
  x: number;
  y: number;
  side: number;
}

export interface WindowRule {
  /** Margin on every side, as a share of the box's longer side. */
  margin: number;
  /** Smallest window side, as a share of the film's longer side (a click or a tiny box keeps context). */
  minSide: number;
}

/**
 * Default rule: a quarter of the box on each side, at least an eighth of the film (a tiny lesion's box
 * still shows the bone around it; an eighth of a 512-px film is 4x the model's grid).
 */
export const ZOOM_RULE: WindowRule = { margin: 0.25, minSide: 1 / 8 };

/** The window around `box` on a `width`x`height` film. */
export function zoomWindow(box: Box, width: number, height: number, rule: WindowRule = ZOOM_RULE): ZoomWindow {
  const long = Math.max(box.x1 - box.x0, box.y1 - box.y0);
  const side = Math.max(long * (1 + 2 * rule.margin), rule.minSide * Math.max(width, height), 1);
  const cx = (box.x0 + box.x1) / 2;
  const cy = (box.y0 + box.y1) / 2;
  return { x: cx - side / 2, y: cy - side / 2, side };
}

/** The window as a `size`x`size` plane of `src` (bilinear, pixel centres aligned; black past the edge). */
export function cropWindow(src: Plane, window: ZoomWindow, size: number): Plane<Float32Array> {
  const out = new Float32Array(size * size);
  const scale = window.side / size;
  const { width: W, height: H } = src;
  for (let y = 0; y < size; y++) {
    const fy = window.y + (y + 0.5) * scale - 0.5;
    for (let x = 0; x < size; x++) {
      const fx = window.x + (x + 0.5) * scale - 0.5;
      out[y * size + x] = sampleBilinear(src.data, W, H, fx, fy);
    }
  }
  return { width: size, height: size, data: out };
}

/**
 * A map of the window (`map`: square, any size) brought back to the `width`x`height` source: bilinear
 * inside the window, 0 outside it.
 */
export function pasteWindow(map: Plane, window: ZoomWindow, width: number, height: number): Plane<Float32Array> {
  const out = new Float32Array(width * height);
  const n = map.width;
  const scale = n / window.side;
  const x0 = Math.max(0, Math.floor(window.x));
  const y0 = Math.max(0, Math.floor(window.y));
  const x1 = Math.min(width, Math.ceil(window.x + window.side));
  const y1 = Math.min(height, Math.ceil(window.y + window.side));
  for (let y = y0; y < y1; y++) {
    const fy = (y + 0.5 - window.y) * scale - 0.5;
    if (fy < -0.5 || fy > n - 0.5) continue;
    for (let x = x0; x < x1; x++) {
      const fx = (x + 0.5 - window.x) * scale - 0.5;
      if (fx < -0.5 || fx > n - 0.5) continue;
      out[y * width + x] = sampleBilinear(map.data, n, map.height, clamp(fx, 0, n - 1), clamp(fy, 0, map.height - 1));
    }
  }
  return { width, height, data: out };
}

/** A box of the source in the window's `size`-pixel frame. */
export function boxInWindow(box: Box, window: ZoomWindow, size: number): Box {
  const s = size / window.side;
  return {
    x0: (box.x0 - window.x) * s,
    y0: (box.y0 - window.y) * s,
    x1: (box.x1 - window.x) * s,
    y1: (box.y1 - window.y) * s,
  };
}

/** A point of the source in the window's `size`-pixel frame. */
export function pointInWindow(p: { x: number; y: number }, window: ZoomWindow, size: number): { x: number; y: number } {
  const s = size / window.side;
  return { x: (p.x - window.x) * s, y: (p.y - window.y) * s };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

/** Bilinear sample at (fx, fy) in pixel-centre coordinates; 0 past the plane's edge (half a pixel of grace). */
function sampleBilinear(data: ArrayLike<number>, W: number, H: number, fx: number, fy: number): number {
  if (fx < -0.5 || fy < -0.5 || fx > W - 0.5 || fy > H - 0.5) return 0;
  const cx = clamp(fx, 0, W - 1);
  const cy = clamp(fy, 0, H - 1);
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(x0 + 1, W - 1);
  const y1 = Math.min(y0 + 1, H - 1);
  const wx = cx - x0;
  const wy = cy - y0;
  const a = data[y0 * W + x0] as number;
  const b = data[y0 * W + x1] as number;
  const c = data[y1 * W + x0] as number;
  const d = data[y1 * W + x1] as number;
  return (a * (1 - wx) + b * wx) * (1 - wy) + (c * (1 - wx) + d * wx) * wy;
}

/** The bounding box of a mask's set pixels (pixel edges), or null when it has none. */
export function boundingBox(mask: Plane): Box | null {
  const { width: W, height: H, data } = mask;
  let x0 = W;
  let y0 = H;
  let x1 = 0;
  let y1 = 0;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      if (!data[y * W + x]) continue;
      if (x < x0) x0 = x;
      if (x >= x1) x1 = x + 1;
      if (y < y0) y0 = y;
      if (y >= y1) y1 = y + 1;
    }
  }
  return x1 > 0 ? { x0, y0, x1, y1 } : null;
}

/** The smallest box holding every box and point given (null when none is). */
export function unionBox(boxes: readonly (Box | null)[], points: readonly { x: number; y: number }[] = []): Box | null {
  const all = [
    ...boxes.filter((b): b is Box => b !== null),
    ...points.map((p) => ({ x0: p.x, y0: p.y, x1: p.x, y1: p.y })),
  ];
  if (all.length === 0) return null;
  return {
    x0: Math.min(...all.map((b) => b.x0)),
    y0: Math.min(...all.map((b) => b.y0)),
    x1: Math.max(...all.map((b) => b.x1)),
    y1: Math.max(...all.map((b) => b.y1)),
  };
}

/** Boxes covering less than this share of the film are small: a lesion's, not a lung's or a spread infection's. */
export const SMALL_BOX_SHARE = 0.1;

export function isSmallBox(box: Box, width: number, height: number): boolean {
  return ((box.x1 - box.x0) * (box.y1 - box.y0)) / (width * height) < SMALL_BOX_SHARE;
}

/**
 * The ellipse inscribed in `box` (source pixels) on the window's `size`x`size` grid. Why: a small box is
 * drawn around one compact lesion, which fills about the ellipse of its box (on BTXRD val the ellipse
 * alone scores Dice 0.744), so the model is given it as its prior to correct, as SAM takes a mask input.
 */
export function boxEllipse(box: Box, window: ZoomWindow, size: number): Plane<Uint8Array> {
  const data = new Uint8Array(size * size);
  const scale = window.side / size;
  const cx = (box.x0 + box.x1) / 2;
  const cy = (box.y0 + box.y1) / 2;
  const rx = (box.x1 - box.x0) / 2;
  const ry = (box.y1 - box.y0) / 2;
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) {
      const dx = (window.x + (x + 0.5) * scale - cx) / rx;
      const dy = (window.y + (y + 0.5) * scale - cy) / ry;
      if (dx * dx + dy * dy <= 1) data[y * size + x] = 1;
    }
  return { width: size, height: size, data };
}

/**
 * Smallest window side when only clicks say where, as a share of the film's longer side: a click says
 * where, not how large, and a third of the film holds 9 in 10 BTXRD training lesions (their boxes' longer
 * sides: median 0.14, 90th percentile 0.39 of the film's).
 */
export const CLICK_CONTEXT = 1 / 3;

/**
 * The window of a pointed prompt on a `width`x`height` film: around the box when there is one; else around
 * the positive clicks and `parts` (the boxes of the previous answer's parts that the clicks correct), at
 * least CLICK_CONTEXT of the film. Null when nothing says where (no box, no positive click, no part).
 */
export function regionWindow(
  region: { box?: Box; clicks?: readonly { x: number; y: number; positive: boolean }[] },
  parts: readonly Box[],
  width: number,
  height: number,
): ZoomWindow | null {
  if (region.box) return zoomWindow(region.box, width, height);
  const positive = (region.clicks ?? []).filter((c) => c.positive);
  const around = unionBox(parts, positive);
  if (!around) return null;
  return zoomWindow(around, width, height, { ...ZOOM_RULE, minSide: CLICK_CONTEXT });
}

// Brush and eraser: a round tip stamped along the segment between successive pointer
// positions, so a fast mouse move (events tens of pixels apart) still paints a continuous
// stroke instead of a row of dots.
import { EMPTY_RECT, type Mask, type Point, type Rect, unionRect } from './mask';

/** Stamps a filled disc of `radius` (pixels, ≥ 0.5) centred on `c` with `value` (1 paints, 0 erases). */
export function stampDisc(mask: Mask, c: Point, radius: number, value: 0 | 1): Rect {
  const r = Math.max(radius, 0.5);
  const x0 = Math.max(0, Math.ceil(c.x - r));
  const x1 = Math.min(mask.width - 1, Math.floor(c.x + r));
  const y0 = Math.max(0, Math.ceil(c.y - r));
  const y1 = Math.min(mask.height - 1, Math.floor(c.y + r));
  if (x1 < x0 || y1 < y0) return EMPTY_RECT;
  const r2 = r * r;
  for (let y = y0; y <= y1; y++) {
    const dy = y - c.y;
    for (let x = x0; x <= x1; x++) {
      const dx = x - c.x;
      if (dx * dx + dy * dy <= r2) mask.data[y * mask.width + x] = value;
    }
  }
  return { x0, y0, x1, y1 };
}

/**
 * Paints the segment from `a` to `b` with a round tip: discs every half radius (at most one
 * pixel apart) cover the segment's whole width, whatever the distance between events.
 */
export function strokeSegment(mask: Mask, a: Point, b: Point, radius: number, value: 0 | 1): Rect {
  const length = Math.hypot(b.x - a.x, b.y - a.y);
  const step = Math.min(1, Math.max(radius, 0.5) / 2);
  const steps = Math.max(1, Math.ceil(length / step));
  let touched = EMPTY_RECT;
  for (let i = 0; i <= steps; i++) {
    const t = i / steps;
    touched = unionRect(
      touched,
      stampDisc(mask, { x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t }, radius, value),
    );
  }
  return touched;
}

/** A whole polyline stroke (pointer-down, moves, pointer-up). */
export function strokePath(mask: Mask, points: readonly Point[], radius: number, value: 0 | 1): Rect {
  const first = points[0];
  if (!first) return EMPTY_RECT;
  let touched = stampDisc(mask, first, radius, value);
  for (let i = 1; i < points.length; i++) {
    touched = unionRect(touched, strokeSegment(mask, points[i - 1] as Point, points[i] as Point, radius, value));
  }
  return touched;
}

/** The radius the user sets, in the unit the caller chooses (the app: screen pixels, turned into image pixels to paint). */
export const MIN_BRUSH_RADIUS = 0.5;
export const MAX_BRUSH_RADIUS = 256;

/** `[` and `]` and Shift+wheel step the size by about 10 % so it feels the same at 2 px and 200 px. */
export function stepBrushRadius(radius: number, direction: -1 | 1): number {
  const next = direction > 0 ? Math.max(radius + 0.5, radius * 1.1) : Math.min(radius - 0.5, radius / 1.1);
  return Math.min(MAX_BRUSH_RADIUS, Math.max(MIN_BRUSH_RADIUS, Math.round(next * 2) / 2));
}

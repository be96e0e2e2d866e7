// Freehand lasso: fills (or erases) the inside of a closed polygon by even-odd scanlines
// through pixel centres.
import { EMPTY_RECT, type Mask, type Point, type Rect } from './mask';

export function fillPolygon(mask: Mask, polygon: readonly Point[], value: 0 | 1): Rect {
  if (polygon.length < 3) return EMPTY_RECT;
  let minY = Number.POSITIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const p of polygon) {
    minY = Math.min(minY, p.y);
    maxY = Math.max(maxY, p.y);
  }
  const y0 = Math.max(0, Math.ceil(minY - 0.5));
  const y1 = Math.min(mask.height - 1, Math.floor(maxY - 0.5));
  let x0 = mask.width;
  let x1 = -1;
  const crossings: number[] = [];
  for (let y = y0; y <= y1; y++) {
    const cy = y + 0.5;
    crossings.length = 0;
    for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
      const p = polygon[i] as Point;
      const q = polygon[j] as Point;
      // Half-open rule: an edge counts when the scanline lies in [min y, max y), so vertices are not counted twice.
      if (p.y <= cy !== q.y <= cy) crossings.push(p.x + ((cy - p.y) / (q.y - p.y)) * (q.x - p.x));
    }
    crossings.sort((a, b) => a - b);
    for (let k = 0; k + 1 < crossings.length; k += 2) {
      const from = Math.max(0, Math.ceil((crossings[k] as number) - 0.5));
      const to = Math.min(mask.width - 1, Math.floor((crossings[k + 1] as number) - 0.5));
      if (to < from) continue;
      mask.data.fill(value, y * mask.width + from, y * mask.width + to + 1);
      x0 = Math.min(x0, from);
      x1 = Math.max(x1, to);
    }
  }
  return x1 < x0 ? EMPTY_RECT : { x0, y0, x1, y1 };
}

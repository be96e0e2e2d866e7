// A pixel patch: the before and after bytes of the rectangle an edit touched, which is all
// undo and redo need (a whole-frame copy per brush stroke would fill the history fast).
import type { Mask, Rect } from './mask';

export interface Patch {
  rect: Rect;
  before: Uint8Array;
  after: Uint8Array;
}

function copyRect(mask: Mask, rect: Rect): Uint8Array {
  const w = rect.x1 - rect.x0 + 1;
  const out = new Uint8Array(w * (rect.y1 - rect.y0 + 1));
  for (let y = rect.y0; y <= rect.y1; y++) {
    const from = y * mask.width + rect.x0;
    out.set(mask.data.subarray(from, from + w), (y - rect.y0) * w);
  }
  return out;
}

/** The patch for `rect` between a snapshot of the frame before the edit and the mask after it. */
export function makePatch(before: Mask, after: Mask, rect: Rect): Patch | null {
  if (rect.x1 < rect.x0 || rect.y1 < rect.y0) return null;
  const a = copyRect(before, rect);
  const b = copyRect(after, rect);
  if (a.every((v, i) => v === b[i])) return null;
  return { rect, before: a, after: b };
}

export function applyPatch(mask: Mask, patch: Patch, side: 'before' | 'after'): void {
  const { rect } = patch;
  const src = patch[side];
  const w = rect.x1 - rect.x0 + 1;
  for (let y = rect.y0; y <= rect.y1; y++) {
    mask.data.set(src.subarray((y - rect.y0) * w, (y - rect.y0 + 1) * w), y * mask.width + rect.x0);
  }
}

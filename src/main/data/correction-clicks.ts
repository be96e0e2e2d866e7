// Where a clinician clicks to correct an answer, as SAM, RITM and nnInteractive simulate it: on the
// largest wrong region (missed target: a positive click; extra answer: a negative one), at the pixel of
// that region farthest from its edge, since that is where a person's click lands when they point at a
// region rather than its border. Used by eval's clicks:N mode and by training's correction items.
import type { RegionClick } from '../../shared/tokens';
import type { Mask } from '../imaging/resample';
import { type Component, connectedComponents } from './components';

/** A click at source pixel coordinates (a pixel's centre: x + 0.5, y + 0.5). */
export type Click = RegionClick;

/** The click that corrects `prediction` toward `target` (same size), or null when they agree. */
export function correctionClick(prediction: Mask, target: Mask): Click | null {
  const n = target.data.length;
  if (prediction.data.length !== n) throw new Error('correctionClick: prediction and target differ in size');
  const missed = new Uint8Array(n);
  const extra = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = prediction.data[i] ? 1 : 0;
    const t = target.data[i] ? 1 : 0;
    missed[i] = t & (1 - p);
    extra[i] = p & (1 - t);
  }
  const size = { width: target.width, height: target.height };
  const fn = connectedComponents({ ...size, data: missed })[0];
  const fp = connectedComponents({ ...size, data: extra })[0];
  const worst = !fn ? fp : !fp ? fn : fn.area >= fp.area ? fn : fp;
  if (!worst) return null;
  return { ...innermost(worst, target.width), positive: worst === fn };
}

/** The pixel of a component farthest from its edge (chamfer 3-4 distance), as its centre point. */
export function innermost(c: Component, width: number): { x: number; y: number } {
  const w = c.maxX - c.minX + 3;
  const h = c.maxY - c.minY + 3;
  // A one-pixel border of "outside" around the component's box.
  const d = new Float32Array(w * h);
  for (const p of c.pixels) {
    const x = (p % width) - c.minX + 1;
    const y = Math.floor(p / width) - c.minY + 1;
    d[y * w + x] = Number.POSITIVE_INFINITY;
  }
  const relax = (i: number, j: number, cost: number) => {
    const v = (d[j] as number) + cost;
    if (v < (d[i] as number)) d[i] = v;
  };
  for (let y = 1; y < h - 1; y++)
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      if (d[i] === 0) continue;
      relax(i, i - 1, 3);
      relax(i, i - w, 3);
      relax(i, i - w - 1, 4);
      relax(i, i - w + 1, 4);
    }
  let best = -1;
  let at = 0;
  for (let y = h - 2; y >= 1; y--)
    for (let x = w - 2; x >= 1; x--) {
      const i = y * w + x;
      if (d[i] === 0) continue;
      relax(i, i + 1, 3);
      relax(i, i + w, 3);
      relax(i, i + w + 1, 4);
      relax(i, i + w - 1, 4);
      if ((d[i] as number) >= best) {
        best = d[i] as number;
        at = i;
      }
    }
  return { x: (at % w) - 1 + c.minX + 0.5, y: Math.floor(at / w) - 1 + c.minY + 0.5 };
}

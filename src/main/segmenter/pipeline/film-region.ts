// The film-region gate: a lesion description that says where on the film the lesion is ("…, located in the
// lower-left region", "…, located in the right side", as BTXRD's descriptions end) gets an answer near that
// part of the film only. The words name a ninth of the film (thirds across, thirds down) in image
// directions, not the patient's: on the training films the lesion's centre lies in the named ninth for
// 1234 of 1305 lesions and at its edge for the rest (docs/EXPERIMENTS.md). Which ninth a prompt names is the
// prompt grammar's reading (prompt/grammar.ts filmCell).

import type { Mask } from '../../imaging/resample';
import type { FilmCell } from '../../prompt/grammar';

/**
 * How far (a share of the film's side) an answer may reach past its ninth: lesions are often larger than
 * their ninth; 98% of the training lesions' pixels lie within 0.15 of it.
 */
export const REGION_MARGIN = 0.15;

/** The pixels (of a width x height grid over the whole film) whose centres lie in the ninth grown by `margin`. */
export function cellWindow(cell: FilmCell, width: number, height: number, margin = REGION_MARGIN): Mask {
  const box = cellBox(cell, width, height, margin);
  const data = new Uint8Array(width * height);
  for (let y = box.y; y < box.y + box.height; y++) data.fill(1, y * width + box.x, y * width + box.x + box.width);
  return { width, height, data };
}

/** A rectangle of pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The same pixels as cellWindow's, as the box holding them. */
export function cellBox(cell: FilmCell, width: number, height: number, margin = REGION_MARGIN): Box {
  // Pixel i's centre (i + 0.5) / n lies in [lo, hi] for i from ceil(lo·n − 0.5) to floor(hi·n − 0.5).
  const range = (n: number, third: number) => {
    const first = Math.max(0, Math.ceil((third / 3 - margin) * n - 0.5));
    const last = Math.min(n - 1, Math.floor(((third + 1) / 3 + margin) * n - 0.5));
    return [first, last - first + 1] as const;
  };
  const [x, w] = range(width, cell.column);
  const [y, h] = range(height, cell.row);
  return { x, y, width: w, height: h };
}

// The film-region gate: a lesion description that says where on the film the lesion is ("…, located in the
// lower-left region", "…, located in the right side", as BTXRD's descriptions end) gets an answer near that
// part of the film only. The words name a ninth of the film (thirds across, thirds down) in image
// directions, not the patient's: on the training films the lesion's centre lies in the named ninth for
// 1234 of 1305 lesions and at its edge for the rest (docs/EXPERIMENTS.md). Which ninth a prompt names is the
// prompt grammar's reading (prompt/grammar.ts filmCell).

import type { Box } from '../data/crop';
import type { Mask } from '../data/resample';
import { type FilmCell, filmCell } from '../prompt/grammar';

export { type FilmCell, filmCell } from '../prompt/grammar';

/**
 * How far (a share of the film's side) an answer may reach past its ninth: lesions are often larger than
 * their ninth; 98% of the training lesions' pixels lie within 0.15 of it.
 */
export const REGION_MARGIN = 0.15;

/**
 * How far past its ninth the zoomed look sees (zoom-pass.ts): a tighter box shows a lesion at more pixels
 * per patch (1 / (1/3 + 2·margin) times the whole film's), a wider one cuts off less of it.
 */
export const REGION_LOOK_MARGIN = 0.1;

/** The pixels (of a width x height grid over the whole film) whose centres lie in the ninth grown by `margin`. */
export function cellWindow(cell: FilmCell, width: number, height: number, margin = REGION_MARGIN): Mask {
  const box = cellBox(cell, width, height, margin);
  const data = new Uint8Array(width * height);
  for (let y = box.y; y < box.y + box.height; y++) data.fill(1, y * width + box.x, y * width + box.x + box.width);
  return { width, height, data };
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

/**
 * Where the zoomed look sees the film (its pixels, width x height): the box of the ninth `text` names,
 * grown by REGION_LOOK_MARGIN; null when it names none.
 */
export function regionBox(text: string, width: number, height: number): Box | null {
  const cell = filmCell(text);
  return cell && cellBox(cell, width, height, REGION_LOOK_MARGIN);
}

// Connected components of a binary mask (8-connectivity), used to count infected areas and find the lungs.
import { labelComponents } from '../../shared/labelmap/flood';
import type { Mask } from '../imaging/resample';

export interface Component {
  /** Pixel indices (row-major) of this component. */
  pixels: Int32Array;
  area: number;
  centroidX: number;
  centroidY: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}

/** Components sorted by area, largest first (labelled by the editing tools' own labeller). */
export function connectedComponents(mask: Mask): Component[] {
  const { labels, sizes } = labelComponents(mask);
  // Bucket pixel indices by label in one pass over the label image.
  const pixelsOf = sizes.map((size) => new Int32Array(size));
  const filled = new Int32Array(sizes.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i] as number;
    if (label !== 0) (pixelsOf[label] as Int32Array)[(filled[label] as number)++] = i;
  }
  return pixelsOf
    .slice(1)
    .map((pixels) => describe(pixels, mask.width))
    .sort((a, b) => b.area - a.area);
}

function describe(pixels: Int32Array, width: number): Component {
  let sx = 0;
  let sy = 0;
  let minX = Number.POSITIVE_INFINITY;
  let maxX = -1;
  let minY = Number.POSITIVE_INFINITY;
  let maxY = -1;
  for (const p of pixels) {
    const x = p % width;
    const y = (p - x) / width;
    sx += x;
    sy += y;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  const area = pixels.length;
  return { pixels, area, centroidX: sx / area, centroidY: sy / area, minX, maxX, minY, maxY };
}

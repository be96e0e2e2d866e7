// Which pixels belong to the patient's right and left lung, and where each lung's zones lie.
// Chest films here are PA (posteroanterior): the patient faces the detector, so the patient's
// LEFT lung appears on the image's RIGHT half. All side words in this project are the patient's.

import type { Mask } from '../imaging/resample';
import { type Side, ZONES, type Zone } from '../prompt/grammar';
import { type Component, connectedComponents } from './components';

export interface LungSides {
  /** The image column that separates the two lungs: image-left of it is the patient's right. */
  midlineX: number;
  left: Mask;
  right: Mask;
  /** Top and bottom rows of each lung (null when that lung is absent from the mask). */
  extent: Record<Side, { top: number; bottom: number } | null>;
}

/** Fragments smaller than this share of the image are ignored when looking for the two lungs. */
const MIN_LUNG_FRACTION = 0.005;

/** The patient's side of an image column: image-left of the midline is the patient's right. */
export function sideOfColumn(x: number, midlineX: number): Side {
  return x < midlineX ? 'right' : 'left';
}

export function splitLungs(lungMask: Mask): LungSides {
  const { width, height } = lungMask;
  const big = connectedComponents(lungMask).filter((c) => c.area >= MIN_LUNG_FRACTION * width * height);
  const midlineX = findMidline(big, width);
  const left = new Uint8Array(width * height);
  const right = new Uint8Array(width * height);
  for (let i = 0; i < lungMask.data.length; i++) {
    if (lungMask.data[i] === 0) continue;
    // Per pixel, not per component: a lung mask that merges both lungs across the midline still splits.
    if (sideOfColumn(i % width, midlineX) === 'left') left[i] = 1;
    else right[i] = 1;
  }
  const leftMask = { width, height, data: left };
  const rightMask = { width, height, data: right };
  return {
    midlineX,
    left: leftMask,
    right: rightMask,
    extent: { left: rowExtent(leftMask), right: rowExtent(rightMask) },
  };
}

/**
 * Two lungs side by side: the middle of the gap between them. One lung (or none): the image centre,
 * so a single visible lung is given the side its position implies.
 */
function findMidline(components: Component[], width: number): number {
  const [a, b] = components;
  if (!a || !b || b.area < 0.1 * a.area) return width / 2;
  const [first, second] = a.centroidX < b.centroidX ? [a, b] : [b, a];
  if (first.maxX < second.minX) return (first.maxX + 1 + second.minX) / 2;
  return (first.centroidX + second.centroidX) / 2;
}

function rowExtent(mask: Mask): { top: number; bottom: number } | null {
  let top = -1;
  let bottom = -1;
  for (let y = 0; y < mask.height; y++) {
    const row = mask.data.subarray(y * mask.width, (y + 1) * mask.width);
    if (row.includes(1)) {
      if (top < 0) top = y;
      bottom = y;
    }
  }
  return top < 0 ? null : { top, bottom };
}

/** The zone of row `y` in a lung spanning `extent`: its height cut in equal thirds. */
export function zoneOfRow(y: number, extent: { top: number; bottom: number }): Zone {
  const span = extent.bottom - extent.top + 1;
  const third = Math.floor((3 * (y - extent.top)) / span);
  return ZONES[Math.min(Math.max(third, 0), 2)] as Zone;
}

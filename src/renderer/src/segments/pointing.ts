// Box and click prompts from the overlay: a drag or a click in image coordinates (pixel corners, as
// cornerstone's pageToPixel gives them) → what segment:run is sent and which segment its answer replaces.
// Pure, so the renderer's unit tests check it without a canvas.
import type { Point } from '../../../shared/labelmap/mask';
import type { Pointing, Segment } from '../../../shared/labelmap/segments';
import type { PointedBox, PointedClick } from '../../../shared/segment-types';

/** A box narrower or lower than this (source pixels) is a slip of the mouse, not a region. */
export const MIN_BOX_SIDE = 3;

/** What the clinician just did on the shown frame, in pixel-corner coordinates. */
export type PointChange = { kind: 'box'; from: Point; to: Point } | { kind: 'click'; at: Point; positive: boolean };

/** The box between two dragged corners, clipped to the image and snapped to whole pixels; a string says why not. */
export function boxFromDrag(from: Point, to: Point, width: number, height: number): PointedBox | string {
  const [left, right] = [Math.min(from.x, to.x), Math.max(from.x, to.x)];
  const [top, bottom] = [Math.min(from.y, to.y), Math.max(from.y, to.y)];
  if (right <= 0 || bottom <= 0 || left >= width || top >= height)
    return 'the box lies outside the image: drag it over the region to segment';
  const x0 = Math.floor(Math.max(0, left));
  const y0 = Math.floor(Math.max(0, top));
  const x1 = Math.ceil(Math.min(width, right));
  const y1 = Math.ceil(Math.min(height, bottom));
  if (x1 - x0 < MIN_BOX_SIDE || y1 - y0 < MIN_BOX_SIDE)
    return `the box is ${x1 - x0}x${y1 - y0} px: drag a box at least ${MIN_BOX_SIDE} px each way around the region`;
  return { x0, y0, x1, y1 };
}

/** The click at the centre of the pixel under `at`; a string when `at` is off the image. */
export function clickAt(at: Point, positive: boolean, width: number, height: number): PointedClick | string {
  if (!(at.x >= 0 && at.y >= 0 && at.x < width && at.y < height)) return 'the click is outside the image';
  return { x: Math.floor(at.x) + 0.5, y: Math.floor(at.y) + 0.5, positive };
}

/** `base` with the change: a box replaces the box, a click is added; pointing on another frame starts afresh. */
export function withChange(
  base: Pointing | undefined,
  frame: number,
  change: { box: PointedBox } | { click: PointedClick },
): Pointing {
  const start: Pointing = base && base.frame === frame ? base : { frame, clicks: [] };
  return 'box' in change ? { ...start, box: change.box } : { ...start, clicks: [...start.clicks, change.click] };
}

/** The change as a box or click on a `width`x`height` image; a string says why it is none. */
function checked(
  change: PointChange,
  width: number,
  height: number,
): { box: PointedBox } | { click: PointedClick } | string {
  if (change.kind === 'box') {
    const box = boxFromDrag(change.from, change.to, width, height);
    return typeof box === 'string' ? box : { box };
  }
  const click = clickAt(change.at, change.positive, width, height);
  return typeof click === 'string' ? click : { click };
}

/** A pointed request: its prompt, where it points, and the segment its answer replaces (none: a new segment). */
export interface PointedRun {
  prompt: string;
  pointing: Pointing;
  targetId?: string;
  /** The target's mask on the pointed frame, as segment:run takes it (packed by the caller). */
  previous?: Uint8Array;
}

/** The segment a box or click refines: the selected AI segment, if any. */
export function refinable(selected: Segment | null): Segment | null {
  return selected?.source === 'ai' ? selected : null;
}

/**
 * What a box or click asks for. `target` is the segment it refines (null: a new one, named by `text`);
 * `base` the pointing to build on (the target's, or that of a pointed answer still decoding); `size` the image.
 */
export function pointedRun(
  change: PointChange,
  frame: number,
  size: { width: number; height: number },
  target: Segment | null,
  base: Pointing | undefined,
  text: string,
): Omit<PointedRun, 'previous'> | string {
  if (target?.locked) return `segment "${target.name}" is locked`;
  const added = checked(change, size.width, size.height);
  if (typeof added === 'string') return added;
  return {
    prompt: target ? (target.prompt ?? '') : text.trim(),
    pointing: withChange(base, frame, added),
    ...(target ? { targetId: target.id } : {}),
  };
}

// How segments cross the IPC boundary: display settings plus every frame's mask bit-packed
// into one byte array (frames back to back), so a 512×512×300 series travels as ~10 MB, not 80.
import { packBits, unpackBits } from './bits';
import { createMask, type Mask } from './mask';
import type { Segment, SegmentInfo } from './segments';

export interface SegmentPayload extends SegmentInfo {
  bits: Uint8Array;
}

export interface FrameShape {
  width: number;
  height: number;
  frameCount: number;
}

export function toPayload(segment: Segment): SegmentPayload {
  const { masks, ...info } = segment;
  const n = masks[0] ? masks[0].width * masks[0].height : 0;
  const all = new Uint8Array(n * masks.length);
  masks.forEach((m, i) => {
    all.set(m.data, i * n);
  });
  return { ...info, bits: packBits(all) };
}

export function masksFromBits(bits: Uint8Array, shape: FrameShape): Mask[] {
  const n = shape.width * shape.height;
  if (bits.length !== Math.ceil((n * shape.frameCount) / 8)) {
    throw new Error(
      `mask data is ${bits.length} bytes, expected ${Math.ceil((n * shape.frameCount) / 8)} for ${shape.frameCount} frames of ${shape.width}x${shape.height}`,
    );
  }
  return Array.from({ length: shape.frameCount }, (_, i) => {
    const m = createMask(shape.width, shape.height);
    m.data.set(unpackBits(bits, n, i * n));
    return m;
  });
}

export function fromPayload(payload: SegmentPayload, shape: FrameShape): Segment {
  const { bits, ...info } = payload;
  return { ...info, masks: masksFromBits(bits, shape) };
}

/** One segment's part of an editing step: its settings and the frames that changed. */
export interface SegmentChangePayload extends SegmentInfo {
  /** Frame indices, ascending and distinct; their masks lie bit-packed back to back in `bits`. */
  frames: number[];
  bits: Uint8Array;
}

/** A segment's settings and the masks of `frames` (every frame unless given). */
export function toChangePayload(segment: Segment, frames?: readonly number[]): SegmentChangePayload {
  const { masks, ...info } = segment;
  const chosen = frames ? [...new Set(frames)].sort((a, b) => a - b) : masks.map((_, i) => i);
  const picked = chosen.map((f) => {
    const mask = masks[f];
    if (!mask) throw new RangeError(`frame ${f} out of range 0..${masks.length - 1}`);
    return mask;
  });
  return { ...toPayload({ ...info, masks: picked }), frames: chosen };
}

/** The masks a change carries, by frame. */
export function framesFromChange(
  change: SegmentChangePayload,
  shape: Omit<FrameShape, 'frameCount'>,
): Map<number, Mask> {
  const masks = masksFromBits(change.bits, { ...shape, frameCount: change.frames.length });
  return new Map(change.frames.map((frame, i) => [frame, masks[i] as Mask]));
}

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

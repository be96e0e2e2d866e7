// Resizing greyscale images (bilinear) and binary masks (nearest), shared by the sample builder
// and the tokenizers, which work on a fixed 256x256 grid and go back to the source size.
import type { Mask } from '../../shared/labelmap/mask';

export interface Plane<T extends Uint8Array | Float32Array = Uint8Array | Float32Array> {
  width: number;
  height: number;
  data: T;
}

// The one binary mask type (0/1 bytes, row-major), the editor's and the model's alike.
export type { Mask };

/** Bilinear resize with pixel-centre alignment; the output is float. */
export function resizeBilinear(src: Plane, width: number, height: number): Plane<Float32Array> {
  const out = new Float32Array(width * height);
  const sx = src.width / width;
  const sy = src.height / height;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(Math.max((y + 0.5) * sy - 0.5, 0), src.height - 1);
    const y0 = Math.floor(fy);
    const y1 = Math.min(y0 + 1, src.height - 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(Math.max((x + 0.5) * sx - 0.5, 0), src.width - 1);
      const x0 = Math.floor(fx);
      const x1 = Math.min(x0 + 1, src.width - 1);
      const wx = fx - x0;
      const a = src.data[y0 * src.width + x0] as number;
      const b = src.data[y0 * src.width + x1] as number;
      const c = src.data[y1 * src.width + x0] as number;
      const d = src.data[y1 * src.width + x1] as number;
      out[y * width + x] = (a * (1 - wx) + b * wx) * (1 - wy) + (c * (1 - wx) + d * wx) * wy;
    }
  }
  return { width, height, data: out };
}

/** Nearest-neighbour resize, for masks (keeps them binary). */
export function resizeNearest(src: Mask, width: number, height: number): Mask {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sy = Math.min(Math.floor(((y + 0.5) * src.height) / height), src.height - 1);
    for (let x = 0; x < width; x++) {
      const sx = Math.min(Math.floor(((x + 0.5) * src.width) / width), src.width - 1);
      out[y * width + x] = src.data[sy * src.width + sx] as number;
    }
  }
  return { width, height, data: out };
}

/** Resize a mask through bilinear interpolation and a 0.5 threshold: smoother edges than nearest. */
export function resizeMaskSmooth(src: Mask, width: number, height: number): Mask {
  return resizeThreshold(src, width, height, 0.5);
}

/** Bilinear resize of a soft mask (values in [0, 1]), then 1 where the value reaches `threshold`. */
export function resizeThreshold(src: Plane, width: number, height: number, threshold: number): Mask {
  return thresholdMap(resizeBilinear(src, width, height), threshold);
}

/** The pixels at `threshold` or above. */
export function thresholdMap(map: Plane, threshold: number): Mask {
  const data = new Uint8Array(map.width * map.height);
  for (let i = 0; i < data.length; i++) data[i] = (map.data[i] as number) >= threshold ? 1 : 0;
  return { width: map.width, height: map.height, data };
}

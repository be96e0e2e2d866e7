// Augmentation suited to radiographs: a small affine (rotation, scale, shift) applied identically to
// image and mask, and an intensity change (gamma, contrast, brightness) to the image only. No flips:
// a horizontal flip would swap the patient's sides and make "left lung" wrong.
import type { Mask, Plane } from '../imaging/resample';
import { type Rng, uniform } from './rng';

export interface AugmentOptions {
  maxRotationDeg: number;
  maxScale: number;
  maxShiftFraction: number;
  gamma: [number, number];
  contrast: [number, number];
  brightness: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = {
  maxRotationDeg: 7,
  maxScale: 0.07,
  maxShiftFraction: 0.05,
  gamma: [0.8, 1.25],
  contrast: [0.9, 1.1],
  brightness: 0.05,
};

export interface Affine {
  angleRad: number;
  scale: number;
  shiftX: number;
  shiftY: number;
}

export function drawAffine(rng: Rng, width: number, height: number, o: AugmentOptions = DEFAULT_AUGMENT): Affine {
  return {
    angleRad: (uniform(rng, -o.maxRotationDeg, o.maxRotationDeg) * Math.PI) / 180,
    scale: 1 + uniform(rng, -o.maxScale, o.maxScale),
    shiftX: uniform(rng, -o.maxShiftFraction, o.maxShiftFraction) * width,
    shiftY: uniform(rng, -o.maxShiftFraction, o.maxShiftFraction) * height,
  };
}

/** Calls `visit(i, sx, sy)` with the source position of every output pixel (inverse mapping about the centre). */
function inverseMap(
  width: number,
  height: number,
  a: Affine,
  visit: (i: number, sx: number, sy: number) => void,
): void {
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  const cos = Math.cos(a.angleRad) / a.scale;
  const sin = Math.sin(a.angleRad) / a.scale;
  for (let y = 0; y < height; y++) {
    const dy = y - cy - a.shiftY;
    for (let x = 0; x < width; x++) {
      const dx = x - cx - a.shiftX;
      visit(y * width + x, cos * dx + sin * dy + cx, -sin * dx + cos * dy + cy);
    }
  }
}

/** Bilinear; outside the source is 0 (black, like the film border). */
export function warpImage(src: Plane<Float32Array>, a: Affine): Plane<Float32Array> {
  const { width, height, data } = src;
  const out = new Float32Array(width * height);
  inverseMap(width, height, a, (i, sx, sy) => {
    const x0 = Math.floor(sx);
    const y0 = Math.floor(sy);
    const wx = sx - x0;
    const wy = sy - y0;
    const at = (x: number, y: number) =>
      x < 0 || y < 0 || x >= width || y >= height ? 0 : (data[y * width + x] as number);
    out[i] =
      (at(x0, y0) * (1 - wx) + at(x0 + 1, y0) * wx) * (1 - wy) +
      (at(x0, y0 + 1) * (1 - wx) + at(x0 + 1, y0 + 1) * wx) * wy;
  });
  return { width, height, data: out };
}

/** Nearest neighbour, so the mask stays binary. */
export function warpMask(src: Mask, a: Affine): Mask {
  const { width, height, data } = src;
  const out = new Uint8Array(width * height);
  inverseMap(width, height, a, (i, sx, sy) => {
    const x = Math.round(sx);
    const y = Math.round(sy);
    out[i] = x < 0 || y < 0 || x >= width || y >= height ? 0 : (data[y * width + x] as number);
  });
  return { width, height, data: out };
}

/** Gamma, then contrast about mid-grey, then brightness; values stay in [0, 1]. */
export function jitterIntensity(
  src: Plane<Float32Array>,
  rng: Rng,
  o: AugmentOptions = DEFAULT_AUGMENT,
): Plane<Float32Array> {
  const gamma = uniform(rng, o.gamma[0], o.gamma[1]);
  const contrast = uniform(rng, o.contrast[0], o.contrast[1]);
  const brightness = uniform(rng, -o.brightness, o.brightness);
  const out = new Float32Array(src.data.length);
  for (let i = 0; i < out.length; i++) {
    const v = ((src.data[i] as number) ** gamma - 0.5) * contrast + 0.5 + brightness;
    out[i] = Math.min(Math.max(v, 0), 1);
  }
  return { width: src.width, height: src.height, data: out };
}

// How much of a finding an image reconstruction keeps, measured where the finding is: a whole-film PSNR
// is dominated by soft tissue and background, and says nothing about whether a lesion of a few patches
// still stands out in the image tokens the model sees.
import type { Mask, Plane } from '../imaging/resample';
import { mean } from './average';
import { psnr } from './psnr';

export interface LesionVisibility {
  /** PSNR (dB) over the lesion's pixels only. */
  psnr: number;
  /** |mean inside the lesion − mean in the ring around it|, in the original and in the reconstruction. */
  contrast: number;
  reconstructedContrast: number;
  /** Pearson correlation of the pixels inside the lesion, original against reconstruction (0 when either is flat). */
  correlation: number;
}

/** Ring around a lesion for its contrast, in pixels (on the 256 grid: under half a patch). */
const LESION_RING = 6;

/** The pixels within `radius` (Chebyshev distance) of the mask, the mask itself excluded. */
export function ringAround(mask: Mask, radius: number): Uint8Array {
  const { width, height, data } = mask;
  // Separable max filter: rows, then columns.
  const rows = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!data[y * width + x]) continue;
      for (let dx = Math.max(0, x - radius); dx <= Math.min(width - 1, x + radius); dx++) rows[y * width + dx] = 1;
    }
  }
  const ring = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!rows[y * width + x]) continue;
      for (let dy = Math.max(0, y - radius); dy <= Math.min(height - 1, y + radius); dy++) {
        const i = dy * width + x;
        if (!data[i]) ring[i] = 1;
      }
    }
  }
  return ring;
}

/** Null when the lesion or its ring is empty (nothing to measure). */
export function lesionVisibility(
  original: Plane<Float32Array>,
  reconstruction: Plane<Float32Array>,
  mask: Mask,
  ringRadius = LESION_RING,
): LesionVisibility | null {
  if (original.data.length !== mask.data.length || reconstruction.data.length !== mask.data.length) {
    throw new Error('lesionVisibility: image, reconstruction and mask must be the same size');
  }
  const ring = ringAround(mask, ringRadius);
  const inside: number[] = [];
  const insideRec: number[] = [];
  let ringSum = 0;
  let ringRecSum = 0;
  let ringCount = 0;
  for (let i = 0; i < mask.data.length; i++) {
    const a = original.data[i] as number;
    const b = reconstruction.data[i] as number;
    if (mask.data[i]) {
      inside.push(a);
      insideRec.push(b);
    } else if (ring[i]) {
      ringSum += a;
      ringRecSum += b;
      ringCount++;
    }
  }
  if (inside.length === 0 || ringCount === 0) return null;
  const m = mean(inside);
  const mRec = mean(insideRec);
  let cov = 0;
  let varA = 0;
  let varB = 0;
  for (let i = 0; i < inside.length; i++) {
    const a = (inside[i] as number) - m;
    const b = (insideRec[i] as number) - mRec;
    cov += a * b;
    varA += a * a;
    varB += b * b;
  }
  return {
    psnr: psnr(inside, insideRec),
    contrast: Math.abs(m - ringSum / ringCount),
    reconstructedContrast: Math.abs(mRec - ringRecSum / ringCount),
    correlation: varA > 0 && varB > 0 ? cov / Math.sqrt(varA * varB) : 0,
  };
}

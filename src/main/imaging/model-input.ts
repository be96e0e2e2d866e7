// The model's input plane, one rule for training and inference: grey in [0, 1] (a raster scaled by its
// bit depth) brought to the SAMPLE_SIZE² grid, so the segmenter feeds the model what training fed it.
import type { GreyImage } from './raster';
import { type Plane, resizeBilinear } from './resample';

/** The side of the square grid every sample is brought to (16x16 patches of 16x16 pixels). */
export const SAMPLE_SIZE = 256;

/**
 * The model's input plane, as training prepares it: grey in [0, 1] brought to SAMPLE_SIZE² (bilinear).
 * A raster is scaled by its bit depth, not its own range; the segmenter brings DICOM to [0, 1] first.
 */
export function modelInput(image: GreyImage | Plane<Float32Array>): Plane<Float32Array> {
  return resizeBilinear(unitPlane(image), SAMPLE_SIZE, SAMPLE_SIZE);
}

/** A raster as grey in [0, 1] at its own size (scaled by its bit depth); a float plane as it is. */
export function unitPlane(image: GreyImage | Plane<Float32Array>): Plane<Float32Array> {
  if (!('bitsStored' in image)) return image;
  const peak = image.bitsStored === 16 ? 65535 : 255;
  const unit = new Float32Array(image.data.length);
  for (let i = 0; i < unit.length; i++) unit[i] = (image.data[i] as number) / peak;
  return { width: image.width, height: image.height, data: unit };
}

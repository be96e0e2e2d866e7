// A decoded frame from main → the image object cornerstone-core renders. Cornerstone
// applies the same Modality LUT (slope/intercept) and the VOI in modality units, so what
// is shown is what main decoded.
import type { CornerstoneImage, Viewport, VoiLutTable } from 'cornerstone-core';
import type { DecodedFrame } from '../../../shared/viewer-types';

function rgba(rgb: ArrayLike<number>, pixels: number): Uint8Array {
  const out = new Uint8Array(pixels * 4);
  for (let i = 0; i < pixels; i++) {
    out[i * 4] = rgb[i * 3] as number;
    out[i * 4 + 1] = rgb[i * 3 + 1] as number;
    out[i * 4 + 2] = rgb[i * 3 + 2] as number;
    out[i * 4 + 3] = 255;
  }
  return out;
}

export function toCornerstoneImage(imageId: string, frame: DecodedFrame): CornerstoneImage {
  const pixels = frame.rows * frame.columns;
  const data = frame.color ? rgba(frame.stored, pixels) : frame.stored;
  return {
    imageId,
    minPixelValue: frame.minStored,
    // Cornerstone sizes its lookup table from this range; a flat image still needs one entry more.
    maxPixelValue: Math.max(frame.maxStored, frame.minStored + 1),
    slope: frame.rescale.slope,
    intercept: frame.rescale.intercept,
    windowCenter: frame.window.center,
    windowWidth: frame.window.width,
    getPixelData: () => data,
    rows: frame.rows,
    columns: frame.columns,
    height: frame.rows,
    width: frame.columns,
    color: frame.color,
    rgba: frame.color,
    invert: frame.invert,
    columnPixelSpacing: 1,
    rowPixelSpacing: 1,
    sizeInBytes: data.byteLength,
  };
}

/** The file's VOI LUT in cornerstone's form, used until the user changes the window. */
export function voiLutOf(frame: DecodedFrame): VoiLutTable | undefined {
  if (!frame.voiLut) return undefined;
  return { firstValueMapped: frame.voiLut.first, numBitsPerEntry: frame.voiLut.bits, lut: frame.voiLut.data };
}

/** Window/level by mouse drag: right widens, down raises the level, scaled to the image's range. */
export function dragWindow(
  voi: Viewport['voi'],
  dx: number,
  dy: number,
  range: number,
): { windowWidth: number; windowCenter: number } {
  const step = Math.max(range, 1) / 512;
  return { windowWidth: Math.max(1, voi.windowWidth + dx * step), windowCenter: voi.windowCenter + dy * step };
}

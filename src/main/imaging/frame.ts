// A decoded frame, whatever it came from (a DICOM instance or a PNG/JPEG radiograph): what
// the viewer displays and what the model's input pipeline reads, through the same type.
import type { DecodedFrame, DisplayWindow } from '../../shared/viewer-types';
import type { GreyImage } from './raster';

export type { DecodedFrame, DisplayWindow, LookupTable, StoredArray } from '../../shared/viewer-types';

/** Modality values (Hounsfield units for CT): the Modality LUT applied, as the model reads them. */
export function modalityPixels(frame: DecodedFrame): Float32Array {
  const { slope, intercept } = frame.rescale;
  const out = new Float32Array(frame.stored.length);
  for (let i = 0; i < out.length; i++) out[i] = (frame.stored[i] as number) * slope + intercept;
  return out;
}

export function extremes(values: ArrayLike<number>): { min: number; max: number } {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return values.length ? { min, max } : { min: 0, max: 0 };
}

/** The full range of the stored values, in modality units. */
export function fullRangeWindow(min: number, max: number, slope = 1, intercept = 0): DisplayWindow {
  const a = min * slope + intercept;
  const b = max * slope + intercept;
  return { center: (a + b) / 2, width: Math.max(1, Math.abs(b - a)) };
}

/** A PNG/JPEG radiograph as a frame: no rescale, full-range window. */
export function frameFromGrey(image: GreyImage): DecodedFrame {
  const { min, max } = extremes(image.data);
  return {
    rows: image.height,
    columns: image.width,
    color: false,
    stored: image.data,
    rescale: { slope: 1, intercept: 0 },
    minStored: min,
    maxStored: max,
    window: fullRangeWindow(min, max),
    windows: [],
    voiLut: undefined,
    invert: false,
    photometric: 'MONOCHROME2',
  };
}

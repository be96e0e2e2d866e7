// A decoded frame, whatever it came from (a DICOM instance or a PNG/JPEG radiograph): what
// the viewer displays and what the model's input pipeline reads, through the same type.
import type { GreyImage } from './raster';

export type StoredArray = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

export interface DisplayWindow {
  center: number;
  width: number;
}

/** A VOI LUT: modality value `first` maps to data[0]; entries are `bits` wide. */
export interface LookupTable {
  first: number;
  bits: number;
  data: Uint16Array;
}

export interface DecodedFrame {
  rows: number;
  columns: number;
  /** True for RGB: `stored` is then 8-bit R,G,B interleaved and there is no rescale. */
  color: boolean;
  /** Stored values, BitsStored/HighBit applied and sign-extended, one per pixel (grey). */
  stored: StoredArray;
  /** The Modality LUT as a line: modality value = stored * slope + intercept. */
  rescale: { slope: number; intercept: number };
  /** Extremes of `stored` (grey), for full-range windows and the cornerstone LUT size. */
  minStored: number;
  maxStored: number;
  /** Default window in modality units: the file's first, else the full range. */
  window: DisplayWindow;
  /** Every window the file names (may be empty). */
  windows: DisplayWindow[];
  voiLut: LookupTable | undefined;
  /** MONOCHROME1: low values are bright. */
  invert: boolean;
  photometric: string;
}

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

// What the viewer's IPC channels carry: series listings, per-file errors, decoded frames,
// tags and thumbnails. Main produces them (src/main/dicom), the renderer displays them.

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
  /** Extremes of `stored` (grey), for full-range windows and the display LUT's size. */
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

/** 'image' and 'raster' display; the others are listed as what they are. */
export type SeriesKind = 'image' | 'raster' | 'SEG' | 'RTSTRUCT' | 'SR' | 'KOS' | 'PR' | 'other';

/** Who and what a series is: the patient, study and series attributes shown and grouped by. */
export interface SeriesIdentity {
  patientName: string;
  patientId: string;
  studyInstanceUid: string;
  studyDescription: string;
  studyDate: string;
  seriesInstanceUid: string;
  seriesDescription: string;
  seriesNumber: number | undefined;
  modality: string;
  /** BodyPartExamined (0018,0015), e.g. CHEST or KNEE; '' when the file does not say. */
  bodyPart: string;
}

export interface SeriesSummary extends SeriesIdentity {
  /** The library's id for this series (stable while the app runs). */
  id: string;
  kind: SeriesKind;
  /** Frames to scroll through (all frames of all instances, in display order); 0 for non-images. */
  frameCount: number;
  instanceCount: number;
  rows: number;
  columns: number;
  /** How the frames were ordered. */
  sortedBy: 'position' | 'instance-number' | 'file-name' | 'single';
}

export interface FileError {
  path: string;
  message: string;
}

export interface OpenResult {
  /** Every series the library holds, after this open. */
  series: SeriesSummary[];
  /** Ids of the series the opened paths hold (new or open before), in the order of `series`. */
  opened: string[];
  /** Files from this open that could not be read; the rest opened. */
  errors: FileError[];
}

export interface FrameInfo {
  /** File the frame came from, and its frame number in that file. */
  path: string;
  frameInFile: number;
  instanceNumber: number | undefined;
  /** Position along the slice normal (mm), when the series has positions. */
  slicePosition: number | undefined;
}

export interface FrameResult {
  frame: DecodedFrame;
  info: FrameInfo;
}

export interface TagRow {
  tag: string;
  vr: string;
  name: string;
  value: string;
}

export interface Thumbnail {
  width: number;
  height: number;
  /** 8-bit grey, windowed and inverted as displayed. */
  data: Uint8Array;
}

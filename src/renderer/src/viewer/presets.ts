// Display windows: the one a series opens with, and the presets offered (keys 1–9) for its
// modality. Widths and levels are in modality units (Hounsfield for CT). Radiographs (CR, DX,
// MG and plain images) have no fixed scale, so their presets, body-part ones included, come from
// the image's histogram.
import type { DecodedFrame, DisplayWindow } from '../../../shared/viewer-types';

export interface Preset {
  id: string;
  label: string;
  window: (frame: DecodedFrame) => DisplayWindow;
}

function modalityValue(frame: DecodedFrame, stored: number): number {
  return stored * frame.rescale.slope + frame.rescale.intercept;
}

function between(frame: DecodedFrame, lo: number, hi: number): DisplayWindow {
  const a = modalityValue(frame, lo);
  const b = modalityValue(frame, hi);
  return { center: (a + b) / 2, width: Math.max(1, Math.abs(b - a)) };
}

/** How many pixels hold each stored value from `lo` to `hi` (stored units), and their total. */
function histogram(frame: DecodedFrame, lo: number, hi: number): { counts: Uint32Array; total: number } {
  const counts = new Uint32Array(hi - lo + 1);
  const { stored } = frame;
  let total = 0;
  for (let i = 0; i < stored.length; i++) {
    const v = stored[i] as number;
    if (v < lo || v > hi) continue;
    counts[v - lo] = (counts[v - lo] as number) + 1;
    total++;
  }
  return { counts, total };
}

/** The stored value below which a fraction `q` (0..1) of the counted pixels lie. */
function quantileOf(counts: Uint32Array, total: number, lo: number, q: number): number {
  const target = q * total;
  let seen = 0;
  for (let v = 0; v < counts.length; v++) {
    seen += counts[v] as number;
    if (seen > target) return v + lo;
  }
  return lo + counts.length - 1;
}

/** The window spanning the stored values from the `low` to the `high` quantile (0..1). */
export function histogramWindow(frame: DecodedFrame, low: number, high: number): DisplayWindow {
  if (frame.color) return frame.window;
  const { minStored, maxStored } = frame;
  const { counts, total } = histogram(frame, minStored, maxStored);
  return between(frame, quantileOf(counts, total, minStored, low), quantileOf(counts, total, minStored, high));
}

/** 1st–99th percentile: the window for an image whose file names none. */
export function autoWindow(frame: DecodedFrame): DisplayWindow {
  return histogramWindow(frame, 0.01, 0.99);
}

/** True when the window spans every stored value: it then shows no more than the full range would. */
function spansEverything(frame: DecodedFrame, window: DisplayWindow): boolean {
  const a = modalityValue(frame, frame.minStored);
  const b = modalityValue(frame, frame.maxStored);
  return window.center - window.width / 2 <= Math.min(a, b) && window.center + window.width / 2 >= Math.max(a, b);
}

/**
 * What a series opens with (unless its file has a VOI LUT): the file's first window, else the
 * automatic one; also automatic when the file's window spans every value (radiographs often name
 * the whole bit range, which looks washed out).
 */
export function initialWindow(frame: DecodedFrame): DisplayWindow {
  const file = frame.windows[0];
  return file && !spansEverything(frame, file) ? file : autoWindow(frame);
}

const fixed = (width: number, center: number) => () => ({ width, center });

const FILE: Preset = { id: 'file', label: 'File window', window: (frame) => frame.windows[0] ?? autoWindow(frame) };
const AUTO: Preset = { id: 'auto', label: 'Auto (1–99%)', window: autoWindow };
const FULL: Preset = {
  id: 'full',
  label: 'Full range',
  window: (frame) => between(frame, frame.minStored, frame.maxStored),
};

const CT_PRESETS: Preset[] = [
  FILE,
  { id: 'soft-tissue', label: 'Soft tissue 400/40', window: fixed(400, 40) },
  { id: 'lung', label: 'Lung 1500/−600', window: fixed(1500, -600) },
  { id: 'bone', label: 'Bone 2500/480', window: fixed(2500, 480) },
  { id: 'brain', label: 'Brain 80/40', window: fixed(80, 40) },
  { id: 'mediastinum', label: 'Mediastinum 350/50', window: fixed(350, 50) },
  AUTO,
  FULL,
];

/**
 * Body-part windows for radiographs, as data. Radiographs are rarely in Hounsfield units: CR and DX
 * values depend on the detector, the exposure and the vendor's processing, and PNG/JPEG films are
 * 0..255, so a fixed width/level like CT's would mean nothing. Each window is a band of the film's own
 * density distribution instead: `density` holds the quantiles its edges sit at, 0 being the least dense
 * pixel (darkest on the film as read) and 1 the densest (bone, metal). Lung is the dark part of a chest
 * film, mediastinum and bone the bright part; on a limb, bone is the bright part and soft tissue the dark.
 */
export interface BodyPartWindow {
  id: string;
  label: string;
  part: BodyPart;
  density: readonly [low: number, high: number];
}

export type BodyPart = 'chest' | 'limb';

export const BODY_PART_WINDOWS: readonly BodyPartWindow[] = [
  { id: 'chest-lung', label: 'Chest · Lung', part: 'chest', density: [0.02, 0.6] },
  { id: 'chest-mediastinum', label: 'Chest · Mediastinum', part: 'chest', density: [0.4, 0.995] },
  { id: 'chest-bone', label: 'Chest · Bone', part: 'chest', density: [0.15, 0.999] },
  { id: 'limb-bone', label: 'Limb · Bone', part: 'limb', density: [0.3, 0.999] },
  { id: 'limb-soft', label: 'Limb · Soft tissue', part: 'limb', density: [0.01, 0.6] },
];

/** BodyPartExamined (0018,0015) → the body-part windows it gets: DICOM defined terms and common variants. */
const BODY_PARTS: readonly [BodyPart, RegExp][] = [
  ['chest', /CHEST|THORA|TORAX|LUNG|RIB|STERN/],
  [
    'limb',
    /SHOULDER|CLAVIC|SCAPUL|HUMER|ARM|ELBOW|RADIUS|ULNA|WRIST|HAND|FINGER|THUMB|PELVI|HIP|FEMUR|THIGH|LEG|KNEE|PATELL|TIBIA|FIBULA|ANKLE|FOOT|TOE|CALCAN|LIMB|EXTREM|BONE|SKELET/,
  ],
];

/** The body parts a film's BodyPartExamined names; both when it says nothing we know (or nothing). */
export function bodyPartsOf(bodyPart: string): BodyPart[] {
  const named = BODY_PARTS.filter(([, pattern]) => pattern.test(bodyPart.toUpperCase())).map(([part]) => part);
  return named.length > 0 ? named : BODY_PARTS.map(([part]) => part);
}

/**
 * The stored values a film's density is counted over: those its VOI LUT maps to distinct outputs
 * (values below and above are clipped by the file's own display, e.g. collimator edges and raw
 * background), else every value.
 */
function usefulRange(frame: DecodedFrame): [number, number] {
  const lut = frame.voiLut;
  const slope = frame.rescale.slope || 1;
  if (!lut || lut.data.length < 2) return [frame.minStored, frame.maxStored];
  const { data, first } = lut;
  let i0 = 0;
  while (i0 + 1 < data.length && data[i0 + 1] === data[0]) i0++;
  let i1 = data.length - 1;
  while (i1 > i0 && data[i1 - 1] === data[data.length - 1]) i1--;
  const toStored = (modality: number) => (modality - frame.rescale.intercept) / slope;
  const [a, b] = [toStored(first + i0), toStored(first + i1)].sort((x, y) => x - y) as [number, number];
  const lo = Math.max(frame.minStored, Math.floor(a));
  const hi = Math.min(frame.maxStored, Math.ceil(b));
  return hi > lo ? [lo, hi] : [frame.minStored, frame.maxStored];
}

/** A body-part window on this film: its density band turned into stored values (MONOCHROME1 reads backwards). */
export function bodyPartWindow(frame: DecodedFrame, preset: BodyPartWindow): DisplayWindow {
  if (frame.color) return frame.window;
  const [lo, hi] = usefulRange(frame);
  const { counts, total } = histogram(frame, lo, hi);
  // Denser tissue has higher values on a MONOCHROME2 film and lower ones on a MONOCHROME1 film.
  const at = (q: number) => quantileOf(counts, total, lo, frame.invert ? 1 - q : q);
  return between(frame, at(preset.density[0]), at(preset.density[1]));
}

const bodyPartPreset = (preset: BodyPartWindow): Preset => ({
  id: preset.id,
  label: preset.label,
  window: (frame) => bodyPartWindow(frame, preset),
});

const PERCENTILE_PRESETS: Preset[] = [
  { id: 'contrast', label: 'High contrast (5–95%)', window: (frame) => histogramWindow(frame, 0.05, 0.95) },
  { id: 'wide', label: 'Wide (0.1–99.9%)', window: (frame) => histogramWindow(frame, 0.001, 0.999) },
  { id: 'bright', label: 'Dense tissue (30–99.5%)', window: (frame) => histogramWindow(frame, 0.3, 0.995) },
];

/** A radiograph's list: the file's and the automatic window, its body part's windows, then the percentile ones. */
function radiographPresets(bodyPart: string): Preset[] {
  const parts = bodyPartsOf(bodyPart);
  const own = BODY_PART_WINDOWS.filter((w) => parts.includes(w.part)).map(bodyPartPreset);
  return [FILE, AUTO, ...own, ...PERCENTILE_PRESETS, FULL];
}

const OTHER_PRESETS: Preset[] = [FILE, AUTO, FULL];

const RADIOGRAPHY = new Set(['CR', 'DX', 'MG', 'RG', 'PX', 'IO', 'XA', 'RF']);

/**
 * The presets for a series, in key order (the first is key 1; keys reach the first nine). A plain
 * image counts as a radiograph; a radiograph's body-part windows follow its BodyPartExamined.
 */
export function presetsFor(modality: string, kind: 'image' | 'raster' | string = 'image', bodyPart = ''): Preset[] {
  if (modality === 'CT') return CT_PRESETS;
  if (kind === 'raster' || RADIOGRAPHY.has(modality)) return radiographPresets(bodyPart);
  return OTHER_PRESETS;
}

/** The preset a series opens with (see `initialWindow`): the file's own window, else the automatic one. */
export function openingPresetId(frame: DecodedFrame): 'file' | 'auto' {
  const file = frame.windows[0];
  return frame.voiLut || (file && !spansEverything(frame, file)) ? 'file' : 'auto';
}

// Display windows: the one a series opens with, and the presets offered (keys 1–9) for its
// modality. Widths and levels are in modality units (Hounsfield for CT). Radiographs (CR, DX,
// MG and plain images) have no fixed scale, so their presets come from the image's histogram.
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

/** The window spanning the stored values from the `low` to the `high` quantile (0..1). */
export function histogramWindow(frame: DecodedFrame, low: number, high: number): DisplayWindow {
  if (frame.color) return frame.window;
  const { minStored, maxStored, stored } = frame;
  const counts = new Uint32Array(maxStored - minStored + 1);
  for (let i = 0; i < stored.length; i++) {
    const bin = (stored[i] as number) - minStored;
    counts[bin] = (counts[bin] as number) + 1;
  }
  const quantile = (q: number) => {
    const target = q * stored.length;
    let seen = 0;
    for (let v = 0; v < counts.length; v++) {
      seen += counts[v] as number;
      if (seen > target) return v + minStored;
    }
    return maxStored;
  };
  return between(frame, quantile(low), quantile(high));
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

const RADIOGRAPH_PRESETS: Preset[] = [
  FILE,
  AUTO,
  { id: 'contrast', label: 'High contrast (5–95%)', window: (frame) => histogramWindow(frame, 0.05, 0.95) },
  { id: 'wide', label: 'Wide (0.1–99.9%)', window: (frame) => histogramWindow(frame, 0.001, 0.999) },
  { id: 'bright', label: 'Dense tissue (30–99.5%)', window: (frame) => histogramWindow(frame, 0.3, 0.995) },
  FULL,
];

const OTHER_PRESETS: Preset[] = [FILE, AUTO, FULL];

const RADIOGRAPHY = new Set(['CR', 'DX', 'MG', 'RG', 'PX', 'IO', 'XA', 'RF']);

/** The presets for a modality, in key order (the first is key 1). A plain image counts as a radiograph. */
export function presetsFor(modality: string, kind: 'image' | 'raster' | string = 'image'): Preset[] {
  if (modality === 'CT') return CT_PRESETS;
  if (kind === 'raster' || RADIOGRAPHY.has(modality)) return RADIOGRAPH_PRESETS;
  return OTHER_PRESETS;
}

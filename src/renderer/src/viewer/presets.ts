// Window presets (width/level in modality units, Hounsfield for CT).
import type { DecodedFrame, DisplayWindow } from '../../../shared/viewer-types';

export interface Preset {
  id: string;
  label: string;
  window: (frame: DecodedFrame) => DisplayWindow;
}

const fixed = (width: number, center: number) => () => ({ width, center });

export const PRESETS: Preset[] = [
  // The file's own window (its first), else the full range: what radiographs want.
  { id: 'default', label: 'Default', window: (frame) => frame.window },
  {
    id: 'full',
    label: 'Full range',
    window: (frame) => {
      const a = frame.minStored * frame.rescale.slope + frame.rescale.intercept;
      const b = frame.maxStored * frame.rescale.slope + frame.rescale.intercept;
      return { center: (a + b) / 2, width: Math.max(1, Math.abs(b - a)) };
    },
  },
  { id: 'soft-tissue', label: 'Soft tissue 400/40', window: fixed(400, 40) },
  { id: 'lung', label: 'Lung 1500/−600', window: fixed(1500, -600) },
  { id: 'bone', label: 'Bone 2500/480', window: fixed(2500, 480) },
  { id: 'brain', label: 'Brain 80/40', window: fixed(80, 40) },
];

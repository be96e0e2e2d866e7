// A second, zoomed look at a small answer. At 256x256 a bone lesion under 0.5% of the film is a patch or
// two, and the model answers near it but misses (docs/MODEL.md, "Zoomed second look"); a square of the
// film around the first answer, brought to 256x256, shows it at several times the pixels. The look is
// made by the model folder's `zoom/` model, the base fine-tuned on such windows (trained on bone lesions
// only, so chest prompts never get it). Its answer is added to the first one inside the window (the larger
// of the two probability maps there): on val that beat replacing the first answer or averaging the maps,
// since small-lesion answers mostly lack recall (docs/MODEL.md, "Zoomed second look").
import { type Mask, type Plane, resizeBilinear } from '../data/resample';
import { modelInput } from '../data/samples';
import { cropWindow, type Window, windowAround } from '../data/zoom';
import type { GreyImage } from '../imaging/raster';
import { mentionsLungs } from './lung-gate';

/** The film a prompt is answered on, at its own size: a raster as read, or grey in [0, 1]. */
export type Film = GreyImage | Plane<Float32Array>;

/** The window's side over the first answer's larger extent (as training's 2–4× window, its middle). */
export const ZOOM_FACTOR = 3;

/** Answers covering at least this share of the film are left alone: they are not small. */
export const ZOOM_MAX_SHARE = 0.04;

/**
 * Where the zoomed look goes for this prompt and first answer: null for a chest prompt, an empty answer
 * or one covering at least `maxShare` of the film.
 */
export function zoomWindowFor(text: string, answer: Mask, maxShare = ZOOM_MAX_SHARE): Window | null {
  if (mentionsLungs(text)) return null;
  let area = 0;
  for (const v of answer.data) area += v;
  if (area === 0 || area >= maxShare * answer.data.length) return null;
  return windowAround(answer, ZOOM_FACTOR);
}

/** The model's input for the window: the film's pixels there, brought to 256x256 as training did. */
export function zoomInput(film: Film, window: Window): Plane<Float32Array> {
  return modelInput(cropWindow(film, window));
}

/**
 * The answer at the film's size: the first answer's probability map (the film's 256x256 grid) and, inside
 * the window, the larger of it and the zoomed look's map (the window's grid), both brought to the film's
 * pixels bilinearly and thresholded at `threshold`: the union of the two answers. Outside the window this
 * is exactly the first answer.
 */
export function zoomedAnswer(
  first: Plane<Float32Array>,
  zoomed: Plane<Float32Array>,
  window: Window,
  size: { width: number; height: number },
  threshold: number,
  zoomThreshold = threshold,
): Mask {
  const whole = resizeBilinear(first, size.width, size.height).data;
  const inside = resizeBilinear(zoomed, window.side, window.side).data;
  const data = new Uint8Array(size.width * size.height);
  for (let i = 0; i < data.length; i++) {
    const x = (i % size.width) - window.x;
    const y = Math.floor(i / size.width) - window.y;
    const seen = x >= 0 && y >= 0 && x < window.side && y < window.side;
    data[i] =
      (whole[i] as number) >= threshold || (seen && (inside[y * window.side + x] as number) >= zoomThreshold) ? 1 : 0;
  }
  return { width: size.width, height: size.height, data };
}

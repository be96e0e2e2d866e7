// A second, zoomed look at the part of the film a bone prompt names. At 256x256 a lesion under 0.5% of
// the film is a patch or two and the model rarely finds it (docs/MODEL.md, "Zoomed look"); the ninth of the
// film the description names, grown by a margin (film-region.ts regionBox), brought to 256x256, shows it
// at about twice the pixels each way. The look is made by the model folder's `zoom/` model: the base
// fine-tuned on exactly such crops of the training films (`nextmask tokens --region`), so it sees what it
// was trained on. The box comes from the words, not from the first answer, so a first answer in the wrong
// place does not take the look there too. Chest prompts never get it.

import { type Box, cropBox } from '../data/crop';
import { type Plane, resizeBilinear } from '../data/resample';
import { modelInput } from '../data/samples';
import type { GreyImage } from '../imaging/raster';
import { regionBox } from './film-region';
import { mentionsLungs } from './lung-gate';

/** The film a prompt is answered on, at its own size: a raster as read, or grey in [0, 1]. */
export type Film = GreyImage | Plane<Float32Array>;

/** Inside its box, the zoomed look's share of the answer's map; the first answer's is the rest. */
export const ZOOM_WEIGHT = 0.25;

/** Where on the film (its pixels) the zoomed look goes for this prompt: null for a chest prompt or one naming no part. */
export function zoomBoxFor(text: string, film: { width: number; height: number }): Box | null {
  return mentionsLungs(text) ? null : regionBox(text, film.width, film.height);
}

/** The model's input for the box: the film's pixels there, brought to 256x256 as training did. */
export function zoomInput(film: Film, box: Box): Plane<Float32Array> {
  return modelInput(cropBox(film, box));
}

/**
 * The answer's map at the film's size: the first answer's (the film's 256x256 grid) brought to the film's
 * pixels bilinearly and, inside the box, blended with the zoomed look's (the box's grid) at `weight`.
 * Outside the box it is exactly the first answer's.
 */
export function zoomedMap(
  first: Plane<Float32Array>,
  zoomed: Plane<Float32Array>,
  box: Box,
  size: { width: number; height: number },
  weight = ZOOM_WEIGHT,
): Plane<Float32Array> {
  const map = resizeBilinear(first, size.width, size.height);
  const inside = resizeBilinear(zoomed, box.width, box.height).data;
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const i = (box.y + y) * size.width + box.x + x;
      map.data[i] = (1 - weight) * (map.data[i] as number) + weight * (inside[y * box.width + x] as number);
    }
  }
  return map;
}

// What a fine-tuning run trains and scores on, as plain data a worker thread can receive: an image
// from the workspace (a file and frame, the clinician's prompt and final mask, the box they drew if
// they drew one) or a sample of a data folder (the simulated clinician). `loadItem` turns either into
// the model's input exactly as the segmenter prepares it, with training's augmentation under a seed.
// A model with a region part also trains on each correction zoomed (`withZoomedItems`, `loadZoomedItem`):
// the window a box prompt decodes in, at the film's own resolution, so the lesion covers many patches.

import type { RegionPrompt } from '../../shared/tokens';
import { boxWindowItem, jitterBox, windowText } from '../data/region-items';
import { createRng, deriveSeed } from '../data/rng';
import { augmentPair, loadSample, type SampleSource } from '../data/samples';
import { SAMPLE_SIZE, unitPlane } from '../imaging/model-input';
import type { Mask, Plane } from '../imaging/resample';
import { resizeNearest } from '../imaging/resample';
import { type Box, boundingBox } from '../imaging/zoom-window';
import { prepareInput } from '../segmenter/prepare-input';

interface ItemBase {
  /** Stable across runs (the HET memory and the version's case list key on it). */
  id: string;
  /** The case it belongs to (a study, or a data sample): held-out cases never train. */
  caseId: string;
  /** Trains as the window around its target with a box prompt (loadZoomedItem), not as the whole film. */
  zoomed?: boolean;
}

export type FineTuneItem =
  | (ItemBase & {
      kind: 'file';
      /** A DICOM, PNG or JPEG file, and the frame of it (multi-frame DICOM). */
      path: string;
      frame: number;
      prompt: string;
      /** The final mask at the source image's size. */
      mask: Mask;
      /** The box the clinician drew for the model's answer (source pixels), when they drew one. */
      box?: Box;
    })
  | (ItemBase & { kind: 'sample'; source: SampleSource });

export interface LoadedItem {
  text: string;
  /** SAMPLE_SIZE² model input in [0, 1]. */
  image: Plane<Float32Array>;
  /** SAMPLE_SIZE² target. */
  mask: Mask;
  /** The target at the source size (scoring). */
  sourceMask: Mask;
  /** The film at its own size, grey in [0, 1]: what a zoomed item and a box answer crop. */
  film: Plane<Float32Array>;
  /** The box the clinician drew (source pixels), when the item carries one. */
  box?: Box;
}

/** The item as the model sees it: canonical without a seed, augmented as in base training with one. */
export async function loadItem(item: FineTuneItem, seed?: number): Promise<LoadedItem> {
  if (item.kind === 'sample') {
    const s = await loadSample(item.source, seed === undefined ? {} : { seed });
    return { text: s.text, image: s.image, mask: s.mask, sourceMask: s.sourceMask, film: unitPlane(s.film) };
  }
  const input = await prepareInput(item.path, item.frame);
  if (input.width !== item.mask.width || input.height !== item.mask.height) {
    throw new Error(
      `${item.path}: the image is ${input.width}x${input.height} but its saved mask is ${item.mask.width}x${item.mask.height}`,
    );
  }
  let image = input.image;
  let mask = resizeNearest(item.mask, SAMPLE_SIZE, SAMPLE_SIZE);
  if (seed !== undefined) ({ image, mask } = augmentPair(image, mask, createRng(seed)));
  return {
    text: item.prompt,
    image,
    mask,
    sourceMask: item.mask,
    film: input.film,
    ...(item.box ? { box: item.box } : {}),
  };
}

/** The id of an item's zoomed copy (HET's memory keeps the two apart). */
export const zoomedId = (id: string) => `${id}|box`;

/**
 * A round's training items for a model with a region part: each item as it is (the whole film and its
 * prompt, so text answers learn too) and a zoomed copy of it (`zoomed`); for a text-only model, the items.
 */
export function withZoomedItems(items: readonly FineTuneItem[], regionSlots: number): FineTuneItem[] {
  if (regionSlots === 0) return [...items];
  return items.flatMap((item) => [item, { ...item, id: zoomedId(item.id), zoomed: true }]);
}

/** A training item with its region part: what tokenizeSample reads. */
export interface ZoomedItem {
  image: Plane<Float32Array>;
  mask: Mask;
  text: string;
  region: RegionPrompt;
  prior: Mask | null;
}

const ZOOM_SEED = 0x200b;

/**
 * The item as a box prompt answers it: the window around the clinician's box, or (none drawn) around
 * the final mask's bounding box jittered as training jitters it (seeded), cut from the film at its own
 * resolution (boxWindowItem: the segmenter's window rule), with the prompt as a window reads it
 * (windowText). An empty final mask has no box: the whole film, as loadItem gives it.
 */
export async function loadZoomedItem(item: FineTuneItem, seed: number): Promise<ZoomedItem> {
  const loaded = await loadItem(item, seed);
  const target = loaded.sourceMask;
  const rng = createRng(deriveSeed(seed, ZOOM_SEED));
  const around = boundingBox(target);
  const box = loaded.box ?? (around && jitterBox(around, rng, target.width, target.height));
  if (!box) return { image: loaded.image, mask: loaded.mask, text: loaded.text, region: {}, prior: null };
  return boxWindowItem(loaded.film, target, windowText(loaded.text), box, rng);
}

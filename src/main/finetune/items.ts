// What a fine-tuning run trains and scores on, as plain data a worker thread can receive: an image
// from the workspace (a file and frame, the clinician's prompt and final mask) or a sample of a data
// folder (the simulated clinician). `loadItem` turns either into the model's input exactly as the
// segmenter prepares it, with training's augmentation under a seed.

import { createRng } from '../data/rng';
import { augmentPair, loadSample, type SampleSource } from '../data/samples';
import { SAMPLE_SIZE } from '../imaging/model-input';
import type { Mask, Plane } from '../imaging/resample';
import { resizeNearest } from '../imaging/resample';
import { prepareInput } from '../segmenter/prepare-input';

interface ItemBase {
  /** Stable across runs (the HET memory and the version's case list key on it). */
  id: string;
  /** The case it belongs to (a study, or a data sample): held-out cases never train. */
  caseId: string;
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
}

/** The item as the model sees it: canonical without a seed, augmented as in base training with one. */
export async function loadItem(item: FineTuneItem, seed?: number): Promise<LoadedItem> {
  if (item.kind === 'sample') {
    const s = await loadSample(item.source, seed === undefined ? {} : { seed });
    return { text: s.text, image: s.image, mask: s.mask, sourceMask: s.sourceMask };
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
  return { text: item.prompt, image, mask, sourceMask: item.mask };
}

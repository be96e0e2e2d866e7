// The command line's way to save a model's mask: one AI segment over the input image(s) as a
// DICOM SEG, with the prompt and the model identified (`nextmask segment … --out result.dcm`).
import { writeFile } from 'node:fs/promises';
import type { SegmentCoding } from '../../shared/labelmap/coding';
import type { Mask } from '../../shared/labelmap/mask';
import type { Rgb } from '../../shared/labelmap/segments';
import type { DeidentifyOptions } from './deidentify';
import { readSourceImages } from './source-images';
import { writeSeg } from './write-seg';

export interface AiSegRequest {
  /** The DICOM file(s) the mask was made on. */
  sourcePaths: string[];
  /** One mask per source image, in slice order (as readSourceImages sorts them). */
  masks: Mask[];
  prompt: string;
  algorithm: { name: string; version: string };
  outPath: string;
  label?: string;
  color?: Rgb;
  /** What the prompt names, coded (the caller reads it from the prompt). */
  coding?: SegmentCoding;
  deidentify?: DeidentifyOptions;
}

export async function writeAiSeg(request: AiSegRequest): Promise<void> {
  const sources = await readSourceImages(request.sourcePaths);
  const bytes = writeSeg({
    sources,
    segments: [
      {
        label: request.label ?? (request.prompt.slice(0, 64) || 'AI segment'),
        color: request.color ?? [255, 80, 80],
        algorithmType: 'AUTOMATIC',
        algorithm: request.algorithm,
        masks: request.masks,
        description: request.prompt,
        ...(request.coding ? { coding: request.coding } : {}),
      },
    ],
    seriesDescription: 'NextMask AI segmentation',
    ...(request.deidentify ? { deidentify: request.deidentify } : {}),
  });
  await writeFile(request.outPath, bytes);
}

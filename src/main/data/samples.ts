// (image, text, mask) samples for training and evaluation. listSamples says what a split holds;
// loadSample reads one, brings it to the model's 256x256 grid, and (under a seed) augments the image
// and varies the wording. Without a seed it gives the canonical text and no augmentation (evaluation).

import { modelInput, SAMPLE_SIZE } from '../imaging/model-input';
import { type GreyImage, readBinaryMask, readRaster } from '../imaging/raster';
import { type Mask, type Plane, resizeNearest } from '../imaging/resample';
import { DEFAULT_AUGMENT, drawAffine, jitterIntensity, warpImage, warpMask } from './augment';
import { loadBtxrdSplit } from './btxrd';
import { loadCovidSplit } from './covid-qu-ex';
import { deriveInfectionFindings } from './infection-findings';
import { canonicalInfectionText, variedInfectionText } from './infection-text';
import { canonicalLungPrompt, LUNG_TARGETS, type LungTarget, lungTargetMask, variedLungPrompt } from './lung-prompts';
import { splitLungs } from './lungs';
import { createRng, type Rng } from './rng';

export type Group = 'infection' | 'lung' | 'btxrd';
export const GROUPS: readonly Group[] = ['infection', 'lung', 'btxrd'];

export type SampleSource =
  | { group: 'infection'; id: string; imagePath: string; maskPath: string; lungMaskPath: string }
  | { group: 'lung'; id: string; imagePath: string; maskPath: string; target: LungTarget }
  | { group: 'btxrd'; id: string; imagePath: string; maskPath: string; description: string };

export interface ListOptions {
  /**
   * Non-COVID and normal chest films join the infection group with an empty target and the text
   * "No pulmonary infection." Off by default: the LViT protocol (QaTa-COV19) scores COVID images only.
   */
  includeHealthy?: boolean;
  /** Which lung prompts to list per chest film (default: all three). */
  lungTargets?: readonly LungTarget[];
  groups?: readonly Group[];
}

export async function listSamples(dataDir: string, split: string, options: ListOptions = {}): Promise<SampleSource[]> {
  const groups = options.groups ?? GROUPS;
  const out: SampleSource[] = [];
  const chest = groups.includes('infection') || groups.includes('lung') ? await loadCovidSplit(dataDir, split) : [];
  if (groups.includes('infection')) {
    for (const e of chest) {
      if (e.cls !== 'covid' && !options.includeHealthy) continue;
      const id = `covid-qu-ex/${split}/${e.cls}/${e.name}`;
      out.push({
        group: 'infection',
        id,
        imagePath: e.imagePath,
        maskPath: e.infectionMaskPath,
        lungMaskPath: e.lungMaskPath,
      });
    }
  }
  if (groups.includes('lung')) {
    for (const target of options.lungTargets ?? LUNG_TARGETS) {
      for (const e of chest) {
        const id = `covid-qu-ex/${split}/${e.cls}/${e.name}#${target}`;
        out.push({ group: 'lung', id, imagePath: e.imagePath, maskPath: e.lungMaskPath, target });
      }
    }
  }
  if (groups.includes('btxrd')) {
    for (const e of await loadBtxrdSplit(dataDir, split)) {
      const id = `btxrd/${split}/${e.imagePath.split(/[\\/]/).pop()}`;
      out.push({ group: 'btxrd', id, imagePath: e.imagePath, maskPath: e.maskPath, description: e.description });
    }
  }
  return out;
}

/** How many times each group's samples appear per training epoch (a group left out appears once). */
export type GroupRepeat = Partial<Record<Group, number>>;

/**
 * Oversamples groups: each source of a group listed in `repeat` appears that many times, in place.
 * Why: btxrd is 9% of the training list and its lesions are small, so one pass per epoch teaches it little.
 */
export function repeatGroups(sources: readonly SampleSource[], repeat: GroupRepeat): SampleSource[] {
  for (const [group, n] of Object.entries(repeat)) {
    if (!GROUPS.includes(group as Group)) throw new Error(`unknown group "${group}" (known: ${GROUPS.join(', ')})`);
    if (!Number.isInteger(n) || (n as number) < 1)
      throw new Error(`repeat for ${group} must be an integer ≥ 1, got ${n}`);
  }
  return sources.flatMap((s) => Array<SampleSource>(repeat[s.group] ?? 1).fill(s));
}

export interface Sample {
  group: Group;
  id: string;
  text: string;
  /** SAMPLE_SIZE² greyscale in [0, 1]. */
  image: Plane<Float32Array>;
  /** SAMPLE_SIZE² binary target. */
  mask: Mask;
  /** The target at the source image's size, for scoring a prediction the way the protocol does. */
  sourceMask: Mask;
  /** The film `image` was made from, at the source size, before augmentation. */
  film: GreyImage;
}

export interface LoadOptions {
  /** Augment and vary the wording with this seed; leave out for evaluation (canonical, unaugmented). */
  seed?: number;
}

/** Training's augmentation of a model input and its mask (the same affine for both, intensity for the image). */
export function augmentPair(
  image: Plane<Float32Array>,
  mask: Mask,
  rng: Rng,
): { image: Plane<Float32Array>; mask: Mask } {
  const affine = drawAffine(rng, image.width, image.height, DEFAULT_AUGMENT);
  return { image: jitterIntensity(warpImage(image, affine), rng, DEFAULT_AUGMENT), mask: warpMask(mask, affine) };
}

export async function loadSample(source: SampleSource, options: LoadOptions = {}): Promise<Sample> {
  const raster = await readRaster(source.imagePath);
  const rng = options.seed === undefined ? null : createRng(options.seed);
  const described = await textAndTarget(source, rng);
  const { target } = described;
  if (target.width !== raster.width || target.height !== raster.height) {
    throw new Error(
      `${source.maskPath}: mask is ${target.width}x${target.height} but its image is ${raster.width}x${raster.height}`,
    );
  }
  let image = modelInput(raster);
  let mask = resizeNearest(target, SAMPLE_SIZE, SAMPLE_SIZE);
  if (rng) ({ image, mask } = augmentPair(image, mask, rng));
  return { group: source.group, id: source.id, text: described.text, image, mask, sourceMask: target, film: raster };
}

async function textAndTarget(source: SampleSource, rng: Rng | null): Promise<{ text: string; target: Mask }> {
  switch (source.group) {
    case 'infection': {
      const [infection, lungs] = await Promise.all([
        readBinaryMask(source.maskPath),
        readBinaryMask(source.lungMaskPath),
      ]);
      const findings = deriveInfectionFindings(infection, lungs);
      return { text: rng ? variedInfectionText(findings, rng) : canonicalInfectionText(findings), target: infection };
    }
    case 'lung': {
      const lungs = await readBinaryMask(source.maskPath);
      const target = lungTargetMask(source.target, lungs, splitLungs(lungs));
      return { text: rng ? variedLungPrompt(source.target, rng) : canonicalLungPrompt(source.target), target };
    }
    case 'btxrd':
      // Real radiologist-style descriptions: used as written.
      return { text: source.description, target: await readBinaryMask(source.maskPath) };
  }
}

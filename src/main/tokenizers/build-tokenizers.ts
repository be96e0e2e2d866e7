// Building the shipped tokenizers from a data folder laid out like ../shared/data: the mask codebook
// from all training masks, the image codebook from a seeded subsample of training radiographs, and the
// text vocabulary from the training texts (canonical and varied descriptions, lung prompts, btxrd).
import { deriveInfectionFindings } from '../data/infection-findings';
import { canonicalInfectionText, variedInfectionText } from '../data/infection-text';
import { LUNG_TARGETS, lungPromptsFor } from '../data/lung-prompts';
import { createRng, deriveSeed, shuffled } from '../data/rng';
import { listSamples, loadSample, type SampleSource } from '../data/samples';
import { SAMPLE_SIZE } from '../imaging/model-input';
import { readBinaryMask } from '../imaging/raster';
import { type Mask, resizeNearest } from '../imaging/resample';
import type { ImageCodebook } from './image-codebook';
import { learnImageCodebook } from './image-codebook-learning';
import { imageToPatches } from './image-patches';
import type { MaskCodebook } from './mask-codebook';
import { learnMaskCodebook, PatchCounts } from './mask-codebook-learning';
import { loadQwenEncoder, TextVocab } from './text-vocab';

export interface BuildOptions {
  dataDir: string;
  split: string;
  seed: number;
  maskSize: number;
  maskIterations: number;
  /**
   * A mask's patches weigh 1 / (foreground pixels)^areaExponent. At 1 every mask weighs the same in total,
   * which is what per-image Dice asks for: without it the codebook serves big lungs and small lesions vanish.
   */
  areaExponent: number;
  imageSize: number;
  imageLevels: number;
  imageIterations: number;
  /** Training radiographs sampled for the image codebook (all 256 patches of each). */
  imageCount: number;
  /** Varied wordings per infection description added to the text vocabulary's sources. */
  variantsPerText: number;
  log: (line: string) => void;
}

export const DEFAULT_BUILD: Omit<BuildOptions, 'dataDir' | 'log'> = {
  split: 'train',
  seed: 1,
  maskSize: 1024,
  maskIterations: 12,
  areaExponent: 0.75,
  imageSize: 512,
  imageLevels: 3,
  imageIterations: 5,
  imageCount: 200,
  variantsPerText: 8,
};

export interface BuiltTokenizers {
  mask: MaskCodebook;
  image: ImageCodebook;
  text: TextVocab;
  stats: {
    masks: number;
    distinctPatches: number;
    imagePatches: number;
    texts: number;
    seconds: Record<string, number>;
  };
}

export function toGrid(mask: Mask): Mask {
  return mask.width === SAMPLE_SIZE && mask.height === SAMPLE_SIZE
    ? mask
    : resizeNearest(mask, SAMPLE_SIZE, SAMPLE_SIZE);
}

export async function buildTokenizers(o: BuildOptions): Promise<BuiltTokenizers> {
  const seconds: Record<string, number> = {};
  const timed = async <T>(name: string, work: () => Promise<T> | T): Promise<T> => {
    const t0 = performance.now();
    const result = await work();
    seconds[name] = Math.round((performance.now() - t0) / 100) / 10;
    o.log(`${name}: ${seconds[name]} s`);
    return result;
  };
  const sources = await listSamples(o.dataDir, o.split, { lungTargets: ['both'] });
  if (sources.length === 0) throw new Error(`no ${o.split} samples under ${o.dataDir}`);

  const { counts, texts, masks } = await timed('read masks and texts', () => readMasksAndTexts(sources, o));
  o.log(`${masks} masks, ${counts.distinct} distinct non-flat patches`);
  const mask = await timed('learn mask codebook', () =>
    learnMaskCodebook(counts.toArrays(), {
      size: o.maskSize,
      iterations: o.maskIterations,
      onIteration: (i, e) =>
        o.log(`  mask k-majority ${i + 1}/${o.maskIterations}: ${e.toFixed(3)} wrong pixels per patch`),
    }),
  );

  const pictures = shuffled(createRng(o.seed), sources).slice(0, o.imageCount);
  const patches = await timed('read images', () => readPatches(pictures));
  const imagePatches = patches.length / 256;
  const image = await timed('learn image codebook', () =>
    learnImageCodebook(patches, {
      levels: o.imageLevels,
      size: o.imageSize,
      iterations: o.imageIterations,
      seed: o.seed,
      onIteration: (l, i, mse) =>
        o.log(`  image level ${l + 1} k-means ${i + 1}/${o.imageIterations}: mse ${mse.toExponential(3)}`),
    }),
  );

  const encode = await loadQwenEncoder();
  const text = await timed('build text vocabulary', () => TextVocab.build(texts, encode));
  o.log(`${texts.length} texts, ${text.size} text ids`);
  return {
    mask,
    image,
    text,
    stats: { masks, distinctPatches: counts.distinct, imagePatches, texts: texts.length, seconds },
  };
}

/** One pass over the split's masks: patches for the codebook, and the texts the masks imply. */
async function readMasksAndTexts(sources: SampleSource[], o: BuildOptions) {
  const counts = new PatchCounts();
  const texts: string[] = LUNG_TARGETS.flatMap((t) => [...lungPromptsFor(t)]);
  let masks = 0;
  for (const [i, s] of sources.entries()) {
    const target = await readBinaryMask(s.maskPath);
    const onGrid = toGrid(target);
    counts.add(onGrid, maskWeight(onGrid, o.areaExponent));
    masks++;
    if (s.group === 'btxrd') texts.push(s.description);
    if (s.group === 'infection') {
      const findings = deriveInfectionFindings(target, await readBinaryMask(s.lungMaskPath));
      texts.push(canonicalInfectionText(findings));
      const rng = createRng(deriveSeed(o.seed, i));
      for (let v = 0; v < o.variantsPerText; v++) texts.push(variedInfectionText(findings, rng));
    }
  }
  return { counts, texts, masks };
}

/** Foreground under 16 pixels counts as 16, so a speck does not outweigh whole masks. */
export function maskWeight(mask: Mask, areaExponent: number): number {
  let area = 0;
  for (const v of mask.data) area += v;
  return 1000 / Math.max(area, 16) ** areaExponent;
}

async function readPatches(sources: SampleSource[]): Promise<Float32Array> {
  const out = new Float32Array(sources.length * 256 * 256);
  for (const [i, s] of sources.entries()) out.set(imageToPatches((await loadSample(s)).image), i * 256 * 256);
  return out;
}

// How much the tokenizers lose on a split: the mask codebook's round trip (tokenize at 256x256,
// detokenize to the source size) scored per image with Dice/IoU as the model is scored, and the image
// codebook's reconstruction PSNR at 256x256 for 1..L residual levels, and what of a bone lesion survives
// the image tokens (lesion-visibility.ts), by the lesion's size.

import { type Group, listSamples, loadSample } from '../data/samples';
import { SAMPLE_SIZE } from '../imaging/model-input';
import { type Plane, resizeNearest } from '../imaging/resample';
import type { ImageCodebook } from '../tokenizers/image-codebook';
import type { MaskCodebook } from '../tokenizers/mask-codebook';
import { mean, median } from './average';
import { SIZE_LABELS, sizeLabel } from './eval-breakdown';
import { type LesionVisibility, lesionVisibility } from './lesion-visibility';
import { psnr } from './psnr';
import { type MetricSummary, SegmentationScores } from './segmentation';

export interface TokenizerReport {
  split: string;
  mask: Partial<Record<Group, MetricSummary>>;
  /** Mean per-image PSNR (dB) by number of levels used, per image group (chest films, btxrd). */
  imagePsnr: Partial<Record<'chest' | 'btxrd', { n: number; byLevels: number[] }>>;
  /** btxrd lesions through all image levels, by size (eval-breakdown's size labels), in size order. */
  lesions: LesionRow[];
}

export interface LesionRow {
  size: string;
  n: number;
  /** Mean per-lesion PSNR (dB) over the lesion's pixels. */
  psnr: number;
  /** Median over lesions of the reconstruction's contrast against its ring / the original's. */
  contrastKept: number;
  /** Mean correlation of the pixels inside the lesion, original against reconstruction. */
  correlation: number;
}

export async function evaluateTokenizers(
  dataDir: string,
  split: string,
  mask: MaskCodebook,
  image: ImageCodebook,
): Promise<TokenizerReport> {
  // One lung target per film: "both lungs" covers every lung patch, the one-sided targets only cut it at the midline.
  const sources = await listSamples(dataDir, split, { lungTargets: ['both'] });
  const scores = new Map<Group, SegmentationScores>();
  const psnrs = { chest: [] as number[][], btxrd: [] as number[][] };
  const lesions = new Map<string, LesionVisibility[]>();
  for (const source of sources) {
    const sample = await loadSample(source);
    const target = sample.sourceMask;
    const onGrid = resizeNearest(target, SAMPLE_SIZE, SAMPLE_SIZE);
    const back = mask.detokenize(mask.encode(onGrid), target.width, target.height);
    if (!scores.has(source.group)) scores.set(source.group, new SegmentationScores());
    scores.get(source.group)?.add(back.data, target.data);
    // Each radiograph once: chest films are listed under both the infection and the lung group.
    if (source.group === 'infection') continue;
    const tokens = image.encode(sample.image);
    const decoded = Array.from({ length: image.levels }, (_, l) => image.decode(tokens, l + 1));
    psnrs[source.group === 'btxrd' ? 'btxrd' : 'chest'].push(decoded.map((d) => psnr(sample.image.data, d.data)));
    if (source.group !== 'btxrd') continue;
    const seen = lesionVisibility(sample.image, decoded[decoded.length - 1] as Plane<Float32Array>, onGrid);
    if (!seen) continue;
    const size = sizeLabel(target.data.reduce((n, v) => n + (v ? 1 : 0), 0) / target.data.length);
    const bin = lesions.get(size) ?? [];
    bin.push(seen);
    lesions.set(size, bin);
  }
  const report: TokenizerReport = { split, mask: {}, imagePsnr: {}, lesions: lesionRows(lesions) };
  for (const [group, s] of scores) report.mask[group] = s.summary();
  for (const key of ['chest', 'btxrd'] as const) {
    const rows = psnrs[key];
    if (rows.length === 0) continue;
    const byLevels = Array.from(
      { length: image.levels },
      (_, l) => rows.reduce((sum, r) => sum + (r[l] as number), 0) / rows.length,
    );
    report.imagePsnr[key] = { n: rows.length, byLevels };
  }
  return report;
}

function lesionRows(bySize: Map<string, LesionVisibility[]>): LesionRow[] {
  return SIZE_LABELS.flatMap((size) => {
    const seen = bySize.get(size);
    if (!seen) return [];
    const kept = seen.filter((v) => v.contrast > 0).map((v) => v.reconstructedContrast / v.contrast);
    return [
      {
        size,
        n: seen.length,
        psnr: mean(seen.map((v) => v.psnr)),
        contrastKept: median(kept),
        correlation: mean(seen.map((v) => v.correlation)),
      },
    ];
  });
}

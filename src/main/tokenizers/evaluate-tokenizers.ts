// How much the tokenizers lose on a split: the mask codebook's round trip (tokenize at 256x256,
// detokenize to the source size) scored per image with Dice/IoU as the model is scored, and the image
// codebook's reconstruction PSNR at 256x256 for 1..L residual levels.
import { resizeNearest } from '../data/resample';
import { type Group, listSamples, loadSample, SAMPLE_SIZE } from '../data/samples';
import { psnr } from '../metrics/psnr';
import { type MetricSummary, SegmentationScores } from '../metrics/segmentation';
import type { ImageCodebook } from './image-codebook';
import type { MaskCodebook } from './mask-codebook';

export interface TokenizerReport {
  split: string;
  mask: Partial<Record<Group, MetricSummary>>;
  /** Mean per-image PSNR (dB) by number of levels used, per image group (chest films, btxrd). */
  imagePsnr: Partial<Record<'chest' | 'btxrd', { n: number; byLevels: number[] }>>;
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
    const byLevels = Array.from({ length: image.levels }, (_, l) =>
      psnr(sample.image.data, image.decode(tokens, l + 1).data),
    );
    psnrs[source.group === 'btxrd' ? 'btxrd' : 'chest'].push(byLevels);
  }
  const report: TokenizerReport = { split, mask: {}, imagePsnr: {} };
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

// What kind of failure a mean Dice hides: `nextmask eval`'s per-image scores (ImageScore, also what
// --per-image writes) grouped by how large the target is, or by what the prompt names (a bone lesion's
// kind, the count of infected areas, which lung), and per group how many answers were empty, drawn beside
// the target, or touching it. Small bone lesions and large lungs fail differently, and so do
// osteochondromas and osteosarcomas; a mean alone does not say which is which.
import { isFallback } from '../../shared/segment-types';
import { findingLabel } from '../prompt/grammar';
import type { ImageScore } from './evaluate';

/** Upper bounds of the target-size bins, as a fraction of the image's pixels (the last bin is open). */
export const SIZE_BINS = [0.005, 0.02, 0.08] as const;

export interface BreakdownRow {
  /** One of SIZE_LABELS or a findingLabel, or "all". */
  label: string;
  images: number;
  meanDice: number;
  /** Nothing drawn. */
  empty: number;
  /** Something drawn, none of it on the target. */
  missed: number;
  /** Some overlap with the target. */
  touched: number;
  /** Answers from the empty-answer fallback (threshold under 0.5). */
  fallback: number;
}

const percent = (f: number) => `${Number((f * 100).toFixed(1))}%`;

/** Bin labels in size order: "empty target", "< 0.5%", "0.5%–2%", "2%–8%", "≥ 8%". */
export const SIZE_LABELS = [
  'empty target',
  `< ${percent(SIZE_BINS[0])}`,
  ...SIZE_BINS.slice(1).map((bound, i) => `${percent(SIZE_BINS[i] as number)}–${percent(bound)}`),
  `≥ ${percent(SIZE_BINS[SIZE_BINS.length - 1] as number)}`,
];

/** The label of a target covering `fraction` of the image. */
export function sizeLabel(fraction: number): string {
  if (fraction === 0) return SIZE_LABELS[0] as string;
  const i = SIZE_BINS.findIndex((bound) => fraction < bound);
  return SIZE_LABELS[i < 0 ? SIZE_LABELS.length - 1 : i + 1] as string;
}

export type BreakdownKey = 'size' | 'finding';

/**
 * Rows per group plus an "all" row; groups in the order they first appear. By size: bins in size order; by
 * finding: the most frequent first.
 */
export function evalBreakdown(scores: readonly ImageScore[], by: BreakdownKey = 'size'): Map<string, BreakdownRow[]> {
  const out = new Map<string, BreakdownRow[]>();
  for (const group of new Set(scores.map((s) => s.group))) {
    const mine = scores.filter((s) => s.group === group);
    const labelOf = (s: ImageScore) => (by === 'size' ? sizeLabel(s.target / s.pixels) : findingLabel(s.text));
    const labels = by === 'size' ? SIZE_LABELS : [...new Set(mine.map(labelOf))];
    const bins = labels
      .map((label) =>
        row(
          label,
          mine.filter((s) => labelOf(s) === label),
        ),
      )
      .filter((r) => r.images > 0);
    if (by === 'finding') bins.sort((a, b) => b.images - a.images);
    out.set(group, [...bins, row('all', mine)]);
  }
  return out;
}

function row(label: string, list: readonly ImageScore[]): BreakdownRow {
  const count = (test: (s: ImageScore) => boolean) => list.filter(test).length;
  return {
    label,
    images: list.length,
    meanDice: list.reduce((sum, s) => sum + s.dice, 0) / Math.max(1, list.length),
    empty: count((s) => s.predicted === 0),
    missed: count((s) => s.predicted > 0 && s.intersection === 0),
    touched: count((s) => s.intersection > 0),
    fallback: count((s) => isFallback(s.threshold)),
  };
}

const HEADINGS: Record<BreakdownKey, string> = { size: 'target size (of the image)', finding: 'the prompt names' };

/** One Markdown table per group. */
export function breakdownMarkdown(breakdown: Map<string, BreakdownRow[]>, by: BreakdownKey = 'size'): string {
  const parts = [...breakdown].map(([group, rows]) => {
    const lines = rows.map(
      (r) =>
        `| ${r.label} | ${r.images} | ${r.meanDice.toFixed(3)} | ${r.empty} | ${r.missed} | ${r.touched} | ${r.fallback} |`,
    );
    return [
      `${group}:`,
      '',
      `| ${HEADINGS[by]} | images | mean Dice | empty answer | drawn, missed | touched | fallback |`,
      '| --- | --- | --- | --- | --- | --- | --- |',
      ...lines,
    ].join('\n');
  });
  return `${parts.join('\n\n')}\n`;
}

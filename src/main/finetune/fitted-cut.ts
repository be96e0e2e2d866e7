// Fitting the lesion cut to a round's held-back corrections: the decoded probability maps are cut again
// at each cut of a small grid (maskCut and resizeThreshold, as segment() cuts them), so the fit costs no
// forward passes. The fitted cut is stored with the version (model.json `decoding.lesionCut`).

import { diceOf, overlap } from '../evaluation/segmentation';
import { type Mask, type Plane, resizeThreshold } from '../imaging/resample';
import type { PromptReading } from '../prompt/reading';
import { LESION_CUT, maskCut } from '../segmenter/pipeline/segment';

/** The cuts a round tries: around LESION_CUT's plateau on val (docs/MODEL.md), and the decoding threshold. */
export const LESION_CUTS = [0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5] as const;

/** What a decoded answer keeps to be cut again: its mask, and under the expected rule its map and threshold. */
export interface CuttableAnswer {
  reading: Pick<PromptReading, 'chest'>;
  mask: Mask;
  threshold: number | null;
  probability: Plane<Float32Array> | null;
}

/** Each answer's Dice against its target when its map is cut at `cut` (answers without a map as they are). */
export function diceAtCut(answers: readonly CuttableAnswer[], targets: readonly Mask[], cut: number): number[] {
  return answers.map((a, i) => {
    const target = targets[i] as Mask;
    const mask =
      a.probability && a.threshold !== null
        ? resizeThreshold(
            a.probability,
            target.width,
            target.height,
            maskCut(a.reading, a.threshold, a.probability.data, cut),
          )
        : a.mask;
    return diceOf(overlap(mask.data, target.data));
  });
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * The cut of LESION_CUTS with the best mean Dice of `answers` against `targets`, kept only where it beats
 * `current` (the parent's cut); else `current`.
 */
export function fittedLesionCut(
  answers: readonly CuttableAnswer[],
  targets: readonly Mask[],
  current: number = LESION_CUT,
): number {
  let best = { cut: current, dice: mean(diceAtCut(answers, targets, current)) };
  for (const cut of LESION_CUTS) {
    const dice = mean(diceAtCut(answers, targets, cut));
    if (dice > best.dice) best = { cut, dice };
  }
  return best.cut;
}

// Dice and IoU as the LViT protocol scores them: the prediction is thresholded at 0.5; per image,
// an empty prediction on an empty target scores 1 (nothing to find, nothing found); the split's mean
// of per-image scores is reported, and "pooled" scores count every pixel of the split at once.

export const THRESHOLD = 0.5;

export interface Overlap {
  intersection: number;
  predicted: number;
  target: number;
}

/** Counts overlap of `prediction` (probabilities or 0/1, foreground when ≥ 0.5) with a 0/1 `target`. */
export function overlap(prediction: ArrayLike<number>, target: ArrayLike<number>): Overlap {
  if (prediction.length !== target.length) {
    throw new Error(`prediction has ${prediction.length} pixels but target has ${target.length}`);
  }
  let intersection = 0;
  let predicted = 0;
  let positives = 0;
  for (let i = 0; i < target.length; i++) {
    const p = (prediction[i] as number) >= THRESHOLD;
    const t = (target[i] as number) >= THRESHOLD;
    if (p) predicted++;
    if (t) positives++;
    if (p && t) intersection++;
  }
  return { intersection, predicted, target: positives };
}

export function diceOf(o: Overlap): number {
  const denominator = o.predicted + o.target;
  return denominator === 0 ? 1 : (2 * o.intersection) / denominator;
}

export function iouOf(o: Overlap): number {
  const union = o.predicted + o.target - o.intersection;
  return union === 0 ? 1 : o.intersection / union;
}

export interface MetricSummary {
  n: number;
  dice: number;
  iou: number;
  dicePooled: number;
  iouPooled: number;
}

/** Scores a split image by image; `summary()` gives the means and the pooled scores. */
export class SegmentationScores {
  private n = 0;
  private diceSum = 0;
  private iouSum = 0;
  private readonly pooled: Overlap = { intersection: 0, predicted: 0, target: 0 };

  /** Adds one image; returns its own Dice, IoU and pixel counts. */
  add(prediction: ArrayLike<number>, target: ArrayLike<number>): Overlap & { dice: number; iou: number } {
    const o = overlap(prediction, target);
    const dice = diceOf(o);
    const iou = iouOf(o);
    this.n++;
    this.diceSum += dice;
    this.iouSum += iou;
    this.pooled.intersection += o.intersection;
    this.pooled.predicted += o.predicted;
    this.pooled.target += o.target;
    return { ...o, dice, iou };
  }

  summary(): MetricSummary {
    if (this.n === 0) throw new Error('no images scored');
    return {
      n: this.n,
      dice: this.diceSum / this.n,
      iou: this.iouSum / this.n,
      dicePooled: diceOf(this.pooled),
      iouPooled: iouOf(this.pooled),
    };
  }
}

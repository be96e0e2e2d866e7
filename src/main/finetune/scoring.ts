// A round's answers as the app gives them: segment() on each item's canonical input with `views`
// test-time views, or (a round about box prompts) segmentPointed() with the item's prompt and the box the
// clinician drew, else a simulated one (eval's `simulatedBox`, seeded by the item's place), scored by
// Dice against the clinician's mask. The held-out cases are answered from a model folder (the parent,
// the new version); the held-back ones under each epoch's weights, opened in memory, so an epoch is
// judged by its decoded answers without writing a file.
import { deriveSeed } from '../data/rng';
import type { SessionOptions } from '../engine/session';
import { simulatedBox } from '../evaluation/prompt-modes';
import { diceOf, overlap } from '../evaluation/segmentation';
import type { Mask } from '../imaging/resample';
import { readingOf } from '../prompt/reading';
import { segmentPointed } from '../segmenter/pipeline/pointed';
import { segment } from '../segmenter/pipeline/segment';
import { TEST_TIME_VIEWS } from '../segmenter/pipeline/test-time-views';
import type { DecoderModels } from '../segmenter/runtime/decoder-session';
import { loadModel, releaseModel } from '../segmenter/runtime/model-files';
import type { CuttableAnswer } from './fitted-cut';
import { type FineTuneItem, loadItem } from './items';

export interface ScoredAnswer {
  text: string;
  /** The answer, kept so that its map can be cut again (fitted-cut.ts). */
  answer: CuttableAnswer;
  /** The clinician's mask at the source size, and the answer's Dice against it. */
  target: Mask;
  dice: number;
}

/** What a round's answers are: to the prompt alone, or to the prompt and a box (a model with a region part). */
export type AnswerMode = 'text' | 'box';

export interface Scoring {
  views: number;
  /** Default 'text'. */
  answers?: AnswerMode;
  /** Seeds the simulated boxes of 'box' answers (default 1). */
  seed?: number;
  session: SessionOptions;
  /** Called before each image (throws to stop: cancel). */
  check: () => void;
  /** Called after each image with the count answered so far. */
  answered?: (done: number) => void;
}

/**
 * Each item's answer and Dice under the model in `dir`, or under `params` (its architecture and
 * tokenizers, other weights), and the provider the model ran on.
 */
export async function scoreItems(
  dir: string,
  items: readonly FineTuneItem[],
  scoring: Scoring,
  params?: Record<string, Float32Array>,
): Promise<{ answers: ScoredAnswer[]; ran: Pick<DecoderModels, 'provider' | 'fallbackReason'> }> {
  const model = await loadModel(dir, scoring.session, params);
  try {
    const answers: ScoredAnswer[] = [];
    const options = { views: TEST_TIME_VIEWS.slice(0, scoring.views) };
    for (const [index, item] of items.entries()) {
      scoring.check();
      const loaded = await loadItem(item);
      const box =
        scoring.answers === 'box'
          ? (loaded.box ?? simulatedBox(loaded.sourceMask, deriveSeed(scoring.seed ?? 1, index)))
          : null;
      // An empty mask has no box to draw: the text answers.
      const a = box
        ? await segmentPointed(model, loaded.film, loaded.text, { box }, options)
        : await segment(model, loaded.image, loaded.text, loaded.sourceMask, options);
      answers.push({
        text: loaded.text,
        // A pointed answer's map is on the film's grid, not where it was cut: it is kept as it was cut.
        answer: {
          reading: readingOf(loaded.text),
          mask: a.mask,
          threshold: box ? null : a.threshold,
          probability: box ? null : a.probability,
        },
        target: loaded.sourceMask,
        dice: diceOf(overlap(a.mask.data, loaded.sourceMask.data)),
      });
      scoring.answered?.(answers.length);
    }
    return { answers, ran: { provider: model.provider, fallbackReason: model.fallbackReason } };
  } finally {
    await releaseModel(model);
  }
}

export const meanDice = (answers: readonly { dice: number }[]) =>
  answers.reduce((a, b) => a + b.dice, 0) / answers.length;

// How eval plays the clinician (`--prompt-mode`): text as today; a box from the target's bounding box,
// each edge moved by a seeded share of the box's size (EVAL_BOX_JITTER), with or without the text; or
// the text answer refined by N clicks, each on the largest error of the answer before it
// (correction-clicks.ts), as SAM's and nnInteractive's iterative protocol scores interactive models.

import { jitterBox } from '../data/region-items';
import { createRng, deriveSeed } from '../data/rng';
import type { Mask } from '../imaging/resample';
import { type Box, boundingBox } from '../imaging/zoom-window';

export type PromptMode = { kind: 'text' } | { kind: 'box'; withText: boolean } | { kind: 'clicks'; clicks: number };

/** Half the training jitter: a clinician's box is looser or tighter than the lesion, not beside it. */
export const EVAL_BOX_JITTER = 0.1;

/** `text`, `box`, `text+box` or `clicks:N` (N ≥ 1); anything else is a usage error. */
export function parsePromptMode(text: string): PromptMode {
  if (text === 'text') return { kind: 'text' };
  if (text === 'box') return { kind: 'box', withText: false };
  if (text === 'text+box') return { kind: 'box', withText: true };
  const clicks = /^clicks:(\d+)$/.exec(text);
  if (clicks && Number(clicks[1]) >= 1) return { kind: 'clicks', clicks: Number(clicks[1]) };
  throw new Error(`--prompt-mode must be text, box, text+box or clicks:N (N ≥ 1), got "${text}"`);
}

/** The box a clinician draws around `target` (seeded per image), or null for an empty target. */
export function simulatedBox(target: Mask, seed: number): Box | null {
  const box = boundingBox(target);
  return box && jitterBox(box, createRng(deriveSeed(seed, 0x0b0c)), target.width, target.height, EVAL_BOX_JITTER);
}

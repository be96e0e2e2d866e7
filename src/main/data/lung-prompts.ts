// Prompts whose target is a lung mask, so the text, not the image alone, chooses what to segment.

import type { Mask } from '../imaging/resample';
import { LUNG_PROMPTS, type LungTarget } from '../prompt/canonical';
import type { LungSides } from './lungs';
import { pick, type Rng } from './rng';

export type { LungTarget };
export const LUNG_TARGETS: readonly LungTarget[] = ['left', 'right', 'both'];

const PARAPHRASES: Record<LungTarget, readonly string[]> = {
  left: [LUNG_PROMPTS.left, 'the left lung', 'left lung field', "patient's left lung", 'segment the left lung'],
  right: [LUNG_PROMPTS.right, 'the right lung', 'right lung field', "patient's right lung", 'segment the right lung'],
  both: [LUNG_PROMPTS.both, 'the lungs', 'lungs', 'both lung fields', 'left and right lungs', 'segment both lungs'],
};

/** The canonical prompt, used for evaluation: "left lung", "right lung", "both lungs". */
export function canonicalLungPrompt(target: LungTarget): string {
  return PARAPHRASES[target][0] as string;
}

export function variedLungPrompt(target: LungTarget, rng: Rng): string {
  return pick(rng, PARAPHRASES[target]);
}

export function lungPromptsFor(target: LungTarget): readonly string[] {
  return PARAPHRASES[target];
}

/** The mask a lung prompt refers to (patient's sides; see lungs.ts). */
export function lungTargetMask(target: LungTarget, lungMask: Mask, sides: LungSides): Mask {
  if (target === 'both') return lungMask;
  return sides[target];
}

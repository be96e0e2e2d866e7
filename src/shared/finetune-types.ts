// The Fine-tune panel's IPC channels and events (merged into src/shared/ipc.ts): the workspace's
// fine-tuning set, a run with progress events, cancel, and the model versions with activation.
import * as v from './validate';

/** A thumbnail side: the set's images and masks travel at this size. */
export const FINETUNE_THUMB = 64;

export const finetuneArgSchemas = {
  'finetune:set': v.object({ includeManual: v.optional(v.boolean()) }),
  'finetune:run': v.object({
    epochs: v.number({ min: 1, max: 100, integer: true }),
    lr: v.number({ min: 1e-7, max: 0.1 }),
    guard: v.literal('l2', 'last-blocks'),
    includeManual: v.optional(v.boolean()),
    /** The set's items (FineTuneSetItem.id) the clinician ticked: the run uses these and no others. */
    include: v.array(v.string({ min: 1, max: 4096 }), { max: 100_000 }),
  }),
  'finetune:cancel': v.object({}),
  'versions:list': v.object({}),
  'versions:activate': v.object({ id: v.string({ min: 1, max: 128 }) }),
} satisfies Record<string, v.Schema<unknown>>;

export interface FineTuneSetItem {
  id: string;
  caseId: string;
  prompt: string;
  source: 'correction' | 'manual';
  /** Dice of the model's proposal against the correction (null: hand-drawn). */
  proposalDice: number | null;
  /** FINETUNE_THUMB² grey image and mask (1 = in the final mask). */
  thumbnail: Uint8Array;
  mask: Uint8Array;
}

export interface FineTuneDefaults {
  epochs: number;
  lr: number;
  guard: 'l2' | 'last-blocks';
}

export interface VersionSummary {
  id: string;
  parent: string;
  createdAt: string;
  before: number;
  after: number;
  trainCases: number;
  /** Training cases held back from the steps to choose the epoch (0 in versions from before rounds held any back). */
  heldBackCases: number;
  heldOutCases: number;
  /**
   * What the round says of the version against its parent ('better by … on N held-out cases', or that it
   * equals it); null for a version written before rounds judged themselves.
   */
  verdict: string | null;
  /** Held-out cases: Dice and answers before and after (masks FINETUNE_THUMB², one bit per pixel, packBits). */
  cases: { id: string; text: string; before: number; after: number; beforeMask: Uint8Array; afterMask: Uint8Array }[];
  /** Its epochs (decodedDice null in versions from before rounds chose by the decoded answer). */
  epochs: (Omit<EpochSummary, 'decodedDice'> & { decodedDice: number | null })[];
}

/** One epoch of a round (0: the starting model): its losses and the held-back cases' decoded Dice, which chose. */
export interface EpochSummary {
  epoch: number;
  trainLoss: number | null;
  heldOutLoss: number;
  decodedDice: number;
}

export interface VersionList {
  /** 'base' (the shipped model) or a version id. */
  active: string;
  versions: VersionSummary[];
}

export type FineTuneProgressEvent =
  | { phase: 'before' | 'after'; done: number; total: number }
  | { phase: 'held-back'; epoch: number; done: number; total: number }
  | { phase: 'train'; epoch: number; epochs: number; step: number; steps: number; loss: number; etaSeconds: number }
  | ({ phase: 'epoch'; seconds: number } & EpochSummary);

export interface FineTuneResults {
  'finetune:set': { items: FineTuneSetItem[]; defaults: FineTuneDefaults; running: boolean };
  /** Resolves when the run ends with the new version (not yet active); 'cancelled' when cancelled. */
  'finetune:run': VersionSummary;
  'finetune:cancel': { cancelled: boolean };
  'versions:list': VersionList;
  'versions:activate': VersionList;
}

export interface FineTuneEvents {
  'finetune:progress': FineTuneProgressEvent;
}

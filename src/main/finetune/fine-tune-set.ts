// The fine-tuning set of a workspace: every saved AI segment a clinician corrected (one item per
// frame where the final mask differs from the model's proposal, so a DICOM series gives single
// frames; the box the clinician drew for the answer goes with its frame), and optionally hand-drawn segments that carry a prompt (one item per drawn frame); the items
// the clinician ticked in the panel; then a deterministic split by case (its sizes:
// src/shared/finetune-split.ts): the held-out cases measure the run before/after, the rest are the
// round's training cases (the job holds some of them back to choose its epoch).
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { HELD_OUT_MIN, MIN_TRAIN_CASES, splitSizes } from '../../shared/finetune-split';
import { type Mask, masksEqual } from '../../shared/labelmap/mask';
import { ImageLibrary } from '../dicom/library';
import { UserFacingError } from '../errors';
import { diceOf, overlap } from '../evaluation/segmentation';
import type { Box } from '../imaging/zoom-window';
import type { StudyRecord, Workspace } from '../store/workspace';
import type { FineTuneItem } from './items';

/** One entry of the set as the Fine-tune panel lists it. */
export interface SetEntry {
  item: FineTuneItem & { kind: 'file' };
  studyKey: string;
  segmentUid: string;
  source: 'correction' | 'manual';
  /** Dice of the model's proposal against the final mask (null for hand-drawn segments). */
  proposalDice: number | null;
}

export interface SetOptions {
  /** Hand-drawn segments with a prompt join the set (default false: only corrections). */
  includeManual?: boolean;
  /** Where frame `frame` of a study lives (default: the study's own file, or its series' file for that frame). */
  framePath?: (study: StudyRecord, frame: number) => Promise<{ path: string; frame: number }>;
}

/**
 * Frame `frame` of a study: a radiograph or a multi-frame DICOM is its source file; a series of
 * single-frame files is read from the source file's folder (the first frame's), ordered as the viewer orders it.
 */
export function seriesFramePaths(): (study: StudyRecord, frame: number) => Promise<{ path: string; frame: number }> {
  const series = new Map<string, Promise<string[] | null>>();
  const pathsOf = (study: StudyRecord) => {
    const found = series.get(study.key);
    if (found) return found;
    const loading = (async () => {
      const library = new ImageLibrary();
      try {
        await library.open([dirname(study.sourcePath)]);
        const s = library.list().find((x) => x.seriesInstanceUid === study.seriesUid);
        if (!s || s.frameCount !== study.frameCount) return null;
        const paths: string[] = [];
        for (let i = 0; i < s.frameCount; i++) paths.push((await library.frame(s.id, i)).info.path);
        return new Set(paths).size === 1 ? null : paths;
      } finally {
        await library.close();
      }
    })();
    series.set(study.key, loading);
    return loading;
  };
  return async (study, frame) => {
    if (study.frameCount === 1) return { path: study.sourcePath, frame: 0 };
    const paths = await pathsOf(study);
    const path = paths?.[frame];
    return path ? { path, frame: 0 } : { path: study.sourcePath, frame };
  };
}

/** Every correction (and, if asked, prompted hand-drawn segment) of the workspace, frame by frame. */
export async function workspaceSet(workspace: Workspace, options: SetOptions = {}): Promise<SetEntry[]> {
  const framePath = options.framePath ?? seriesFramePaths();
  const entries: SetEntry[] = [];
  const add = async (
    study: StudyRecord,
    segmentUid: string,
    prompt: string,
    frame: number,
    mask: Mask,
    source: SetEntry['source'],
    proposalDice: number | null,
    box?: Box,
  ) => {
    const where = await framePath(study, frame);
    entries.push({
      item: {
        kind: 'file',
        id: `${study.key}#${segmentUid}@${frame}`,
        caseId: study.key,
        path: where.path,
        frame: where.frame,
        prompt,
        mask,
        ...(box ? { box } : {}),
      },
      studyKey: study.key,
      segmentUid,
      source,
      proposalDice,
    });
  };
  for (const c of workspace.listCorrections()) {
    if (!c.prompt.trim()) continue;
    const study = workspace.getStudy(c.studyKey);
    for (const [frame, mask] of c.corrected.entries()) {
      const proposal = c.proposal[frame];
      if (!proposal || masksEqual(mask, proposal)) continue;
      const box = c.pointing?.frame === frame ? c.pointing.box : undefined;
      await add(
        study,
        c.segmentUid,
        c.prompt,
        frame,
        mask,
        'correction',
        diceOf(overlap(proposal.data, mask.data)),
        box,
      );
    }
  }
  if (options.includeManual) {
    for (const s of workspace.listStudies()) {
      for (const segment of workspace.loadSegments(s.key)) {
        if (segment.source !== 'manual' || !segment.prompt?.trim()) continue;
        for (const [frame, mask] of segment.masks.entries()) {
          if (mask.data.includes(1)) await add(s, segment.id, segment.prompt, frame, mask, 'manual', null);
        }
      }
    }
  }
  return entries;
}

/** The entries the clinician ticked (by item id), in the set's order; an id no longer in the set is refused. */
export function chosenEntries(entries: readonly SetEntry[], ids: readonly string[]): SetEntry[] {
  const known = new Set(entries.map((e) => e.item.id));
  const gone = [...new Set(ids)].filter((id) => !known.has(id));
  if (gone.length > 0) {
    throw new UserFacingError(
      `${gone.length} of the ticked corrections ${gone.length === 1 ? 'is' : 'are'} no longer in the workspace (deleted or no longer corrected): reload the set and tick again`,
    );
  }
  const chosen = new Set(ids);
  return entries.filter((e) => chosen.has(e.item.id));
}

export interface Split<T extends { caseId: string }> {
  train: T[];
  heldOut: T[];
}

const rank = (caseId: string) => createHash('sha256').update(caseId).digest('hex');

/**
 * Holds out splitSizes(cases).heldOut cases, chosen by a hash of the case id (the same set always splits
 * the same way, and adding cases moves few); the rest are the round's training cases (at least MIN_TRAIN_CASES).
 */
export function splitByCase<T extends { caseId: string }>(items: readonly T[]): Split<T> {
  if (items.length === 0) throw new Error('no corrected masks yet: correct an AI answer and save it first');
  const cases = [...new Set(items.map((i) => i.caseId))].sort((a, b) => (rank(a) < rank(b) ? -1 : 1));
  const { heldOut: held, train } = splitSizes(cases.length);
  if (train < MIN_TRAIN_CASES) {
    throw new Error(
      `only ${cases.length} corrected case${cases.length === 1 ? '' : 's'}: fine-tuning holds out ${HELD_OUT_MIN} cases to measure the result and needs at least ${MIN_TRAIN_CASES} more to train on (some of them held back to choose the epoch); correct and save at least ${held + MIN_TRAIN_CASES - cases.length} more`,
    );
  }
  const heldOut = new Set(cases.slice(0, held));
  return {
    train: items.filter((i) => !heldOut.has(i.caseId)),
    heldOut: items.filter((i) => heldOut.has(i.caseId)),
  };
}

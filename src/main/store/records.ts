// What the workspace store takes and gives: studies, commits, proposals and corrections.
import type { EditRecord } from '../../shared/labelmap/channels';
import type { Mask } from '../../shared/labelmap/mask';
import type { Pointing, SegmentInfo } from '../../shared/labelmap/segments';
import { UserFacingError } from '../errors';

export interface StudyRecord {
  /** SeriesInstanceUID for DICOM, the file path for a radiograph. */
  key: string;
  sourcePath: string;
  studyUid?: string;
  seriesUid?: string;
  modality?: string;
  description?: string;
  width: number;
  height: number;
  frameCount: number;
}

export interface StudySummary extends StudyRecord {
  segmentCount: number;
  savedAt: string | null;
  /** Bumped by every save of the study's segments; 0 before the first. */
  version: number;
}

/** An edit as the log keeps it: every field, the frame -1 when the edit had none. */
export type StoredEdit = Required<EditRecord> & { at: string };

export interface Proposal {
  segmentUid: string;
  prompt: string;
  algorithm: string;
  masks: Mask[];
}

/** One editing step: see Workspace.commitSegments. */
export interface SegmentCommit {
  /** Every segment id of the study, in list order. */
  order: readonly string[];
  /** Segments whose settings or masks changed, with the frames that changed (all for a new segment). */
  changed: readonly { info: SegmentInfo; frames: ReadonlyMap<number, Mask> }[];
  edits?: readonly EditRecord[];
  /** The study version this step builds on (see commitSegments). */
  baseVersion?: number;
}

/** A clinician-corrected AI mask and what the model proposed: one fine-tuning example. */
export interface Correction {
  studyKey: string;
  sourcePath: string;
  segmentUid: string;
  prompt: string;
  algorithm: string;
  proposal: Mask[];
  corrected: Mask[];
  /** The box and clicks the clinician pointed with for the answer, when they did. */
  pointing?: Pointing;
}

/** A save based on an older version of the study than the stored one: someone else saved meanwhile. */
export class WorkspaceConflictError extends UserFacingError {
  constructor(
    readonly studyKey: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      `the segments of ${studyKey} were saved elsewhere (another window or NextMask instance) after they were opened here ` +
        `(version ${actual}, this one is based on ${expected}): nothing was overwritten; reopen the series to see those changes`,
    );
    this.name = 'WorkspaceConflictError';
  }
}

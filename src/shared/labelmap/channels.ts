// The masks IPC channels (load, commit, AI proposal, export, import): argument schemas and
// result types, merged into the app's contract in src/shared/ipc.ts.
import { boxSchema, clickSchema, MAX_REQUEST_CLICKS } from '../segment-types';
import * as v from '../validate';
import type { SeriesSummary } from '../viewer-types';
import type { Code, SegmentCoding } from './coding';
import type { FrameShape, SegmentPayload } from './payload';
import { MAX_SEGMENT_NAME, type Pointing, type Rgb } from './segments';

const rgb: v.Schema<Rgb> = {
  describe: '[r, g, b] with integers 0..255',
  parse(value, path = '') {
    const list = v.array(v.number({ min: 0, max: 255, integer: true }), { max: 3 }).parse(value, path);
    if (list.length !== 3) throw new v.ValidationError(path, this.describe);
    return list as Rgb;
  },
};

const code: v.Schema<Code> = v.object({
  value: v.string({ min: 1, max: 64 }),
  scheme: v.string({ min: 1, max: 64 }),
  meaning: v.string({ min: 1, max: 64 }),
});
export const codingSchema: v.Schema<SegmentCoding> = v.object({
  category: code,
  type: code,
  typeModifier: v.optional(code),
  region: v.optional(code),
  regionModifier: v.optional(code),
});

export const pointingSchema: v.Schema<Pointing> = v.object({
  frame: v.number({ min: 0, integer: true }),
  box: v.optional(boxSchema),
  clicks: v.array(clickSchema, { max: MAX_REQUEST_CLICKS }),
});

const seriesId = v.string({ min: 1, max: 64 });
const path = v.string({ min: 1, max: 4096 });

const segmentId = v.string({ min: 1, max: 64 });
const segmentFields = {
  id: segmentId,
  name: v.string({ max: MAX_SEGMENT_NAME }),
  color: rgb,
  visible: v.boolean(),
  locked: v.boolean(),
  opacity: v.number({ min: 0, max: 1 }),
  outline: v.boolean(),
  source: v.literal('manual', 'ai'),
  algorithm: v.optional(v.string({ max: 200 })),
  prompt: v.optional(v.string({ max: 10_000 })),
  coding: v.optional(codingSchema),
  pointing: v.optional(pointingSchema),
  edited: v.optional(v.boolean()),
  confidence: v.optional(v.number({ min: 0, max: 1 })),
  lowConfidence: v.optional(v.boolean()),
  bits: v.bytes(),
};
export const segmentPayloadSchema = v.object(segmentFields);

export type ExportFormat = 'seg' | 'nifti' | 'png';

/** One line of a study's edit log, sent with each commit (the store stamps its time). */
const editRecordSchema = v.object({
  segmentUid: v.string({ min: 1, max: 64 }),
  action: v.string({ min: 1, max: 64 }),
  frame: v.optional(v.number({ min: 0, integer: true })),
});
export type EditRecord = v.Infer<typeof editRecordSchema>;

export const maskArgSchemas = {
  'masks:load': v.object({ seriesId }),
  /** One editing step, autosaved: see Workspace.commitSegments. */
  'masks:commit': v.object({
    seriesId,
    /** The study version this step builds on (LoadedSegments.version, or the last commit's). */
    version: v.number({ min: 0, integer: true }),
    order: v.array(segmentId, { max: 1000 }),
    changed: v.array(
      v.object({ ...segmentFields, frames: v.array(v.number({ min: 0, integer: true }), { max: 100_000 }) }),
      { max: 1000 },
    ),
    edits: v.array(editRecordSchema, { max: 100_000 }),
  }),
  'masks:proposal': v.object({
    seriesId,
    segmentUid: v.string({ min: 1, max: 64 }),
    prompt: v.string({ max: 10_000 }),
    algorithm: v.string({ min: 1, max: 200 }),
    bits: v.bytes(),
  }),
  'masks:export': v.object({
    seriesId,
    format: v.literal('seg', 'nifti', 'png'),
    path,
    deidentify: v.optional(v.boolean()),
    segmentId: v.optional(v.string({ min: 1, max: 64 })),
    frame: v.optional(v.number({ min: 0, integer: true })),
  }),
  'masks:import': v.object({ seriesId, path }),
  /** For an opened SEG object: the image series it refers to (opening its folder when needed). */
  'masks:seg-target': v.object({ seriesId }),
  /** The desktop app's save or open dialog for a mask file, starting at `defaultPath`. */
  'masks:choose-path': v.object({ mode: v.literal('save', 'open'), defaultPath: path }),
  /** The studies of the workspace store, last saved first (what an empty window offers to reopen). */
  'masks:recent': v.object({}),
} satisfies Record<string, v.Schema<unknown>>;

export interface LoadedSegments extends FrameShape {
  studyKey: string;
  segments: SegmentPayload[];
  savedAt: string | null;
  /** The study's commit counter: pass it back to masks:commit, which refuses a commit over a newer one. */
  version: number;
  /** The default export folder (in the workspace); relative export and import paths start there. */
  exportDir: string;
  /** A file name (no extension) for this series' exports. */
  exportName: string;
}

/** An opened SEG object's image series (see masks:seg-target). */
export interface SegTarget {
  /** The image series to draw the SEG over. */
  seriesId: string;
  /** The SEG file. */
  path: string;
  /** Every open series after the search (the SEG's folder may have added some). */
  series: SeriesSummary[];
}

/** A study the store holds, to open again (see masks:recent). */
export interface RecentStudy {
  /** The store's key: the SeriesInstanceUID, or a radiograph's file path. */
  key: string;
  /** What to open to show it: the folder of a DICOM series of several images, else its one file. */
  openPath: string;
  seriesUid?: string;
  description?: string;
  modality?: string;
  frameCount: number;
  segmentCount: number;
  /** When its segments were last saved; null if never. */
  savedAt: string | null;
}

export interface ExportResult {
  path: string;
  /** True when the PS3.15 basic profile was applied (the UI says so next to the file). */
  deidentified: boolean;
  segments: number;
}

export interface MaskResults {
  'masks:load': LoadedSegments;
  'masks:commit': { savedAt: string; version: number };
  'masks:proposal': null;
  'masks:export': ExportResult;
  /** Segments read from the file, for the caller to add (one undo step). */
  'masks:import': SegmentPayload[];
  /** Null when the referenced series is neither open nor beside the SEG. */
  'masks:seg-target': SegTarget | null;
  /** The chosen file; null when cancelled. */
  'masks:choose-path': string | null;
  'masks:recent': RecentStudy[];
}

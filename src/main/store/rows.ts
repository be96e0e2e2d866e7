// The store's rows as SQLite gives them, and their conversion to records, segments and masks.
import { pointingSchema } from '../../shared/labelmap/channels';
import { createMask, type Mask } from '../../shared/labelmap/mask';
import type { Rgb, Segment } from '../../shared/labelmap/segments';
import { decompressMask } from './mask-codec';
import type { StudyRecord } from './records';
import { storedCoding } from './stored-coding';
import { storedJson } from './stored-json';

export interface StudyRow {
  id: number;
  key: string;
  source_path: string;
  study_uid: string | null;
  series_uid: string | null;
  modality: string | null;
  description: string | null;
  width: number;
  height: number;
  frame_count: number;
  saved_at: string | null;
  version: number;
}

export interface SegmentRow {
  id: number;
  uid: string;
  name: string;
  color: string;
  visible: number;
  locked: number;
  opacity: number;
  outline: number;
  source: 'manual' | 'ai';
  algorithm: string | null;
  prompt: string | null;
  coding: string | null;
  pointing: string | null;
  confidence: number | null;
  low_confidence: number;
}

/** One stored frame: bit-packed and deflated (mask-codec.ts). */
export interface MaskRow {
  frame: number;
  data: Buffer;
}

/** What reading a study's masks needs of its row. */
export type StudyShape = Pick<StudyRow, 'width' | 'height' | 'frame_count'>;

export function toRecord(row: StudyRow): StudyRecord {
  const record: StudyRecord = {
    key: row.key,
    sourcePath: row.source_path,
    width: row.width,
    height: row.height,
    frameCount: row.frame_count,
  };
  if (row.study_uid) record.studyUid = row.study_uid;
  if (row.series_uid) record.seriesUid = row.series_uid;
  if (row.modality) record.modality = row.modality;
  if (row.description) record.description = row.description;
  return record;
}

/** Every frame of a study: the stored ones decoded, the rest (empty, not stored) blank. */
export function readMasks(study: StudyShape, rows: readonly MaskRow[]): Mask[] {
  const masks = Array.from({ length: study.frame_count }, () => createMask(study.width, study.height));
  for (const r of rows) (masks[r.frame] as Mask).data.set(decompressMask(r.data, study.width * study.height));
  return masks;
}

export function toSegment(row: SegmentRow, masks: Mask[]): Segment {
  const segment: Segment = {
    id: row.uid,
    name: row.name,
    color: row.color.split(',').map(Number) as Rgb,
    visible: row.visible === 1,
    locked: row.locked === 1,
    opacity: row.opacity,
    outline: row.outline === 1,
    source: row.source,
    masks,
  };
  if (row.algorithm) segment.algorithm = row.algorithm;
  if (row.prompt) segment.prompt = row.prompt;
  const coding = storedCoding(row);
  if (coding) segment.coding = coding;
  const pointing = storedJson(row.pointing, pointingSchema);
  if (pointing) segment.pointing = pointing;
  if (row.confidence !== null) segment.confidence = row.confidence;
  if (row.low_confidence === 1) segment.lowConfidence = true;
  return segment;
}

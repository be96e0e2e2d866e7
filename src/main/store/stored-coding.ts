// A stored segment's SNOMED CT coding: the one saved with it, else read from an AI segment's prompt.
import { codingSchema } from '../../shared/labelmap/channels';
import type { SegmentCoding } from '../../shared/labelmap/coding';
import { readPrompt } from '../prompt/reading';
import { storedJson } from './stored-json';

/** Segments saved before codings were kept, or never coded, are coded from an AI segment's prompt. */
export function storedCoding(row: {
  coding: string | null;
  source: string;
  prompt: string | null;
}): SegmentCoding | null {
  if (row.coding) return storedJson(row.coding, codingSchema);
  return row.source === 'ai' && row.prompt ? readPrompt(row.prompt).coding : null;
}

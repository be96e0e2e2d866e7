// What the prompt box shows under the prompt as the clinician types: what the prompt was read as, in
// short terms, the words that were not understood, and the DICOM SEG coding its segment would get. Main
// reads the prompt (src/main/prompt/shown-reading.ts); the renderer shows it.
import type { SegmentCoding } from './labelmap/coding';

/** The longest prompt a channel takes (segment:run, segment:read), in characters. */
export const MAX_PROMPT_LENGTH = 10_000;

/** Why a prompt over MAX_PROMPT_LENGTH is not read, in words (the prompt box and `nextmask segment`). */
export function promptTooLong(length: number): string {
  const n = (x: number) => x.toLocaleString('en');
  return `The prompt is ${n(length)} characters; at most ${n(MAX_PROMPT_LENGTH)} are read: shorten it.`;
}

/** How many words not understood a reading lists; the rest are counted (`moreUnread`). */
export const MAX_SHOWN_UNREAD = 12;

export interface ShownReading {
  /** What the prompt was read as, in reading order: "infection", "right lung", "lower zone", "2 areas". */
  terms: string[];
  /** The first words the reading did not understand, as typed, in the prompt's order. */
  unread: string[];
  /** How many more words were not understood than `unread` lists. */
  moreUnread: number;
  /** The coding the answer's segment gets; null: nothing codable, the segment is written as "Tissue". */
  coding: SegmentCoding | null;
  /** Why nothing could be read, in words (an empty prompt, no word understood); null when something was. */
  problem: string | null;
  /** What the prompt asks for that the model does not cover, as the answer's notice says it; null if nothing. */
  outOfScope: string | null;
  /** The prompt with its typos corrected, when that names something else ("right lung"); else null. */
  didYouMean: string | null;
}

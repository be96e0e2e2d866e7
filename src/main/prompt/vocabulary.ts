// The words a prompt's reading knows, in one set: every word of every written form in the lexicon's tables
// (words.ts, ALL_TABLES). A word outside it is a candidate typo (scope.ts, "did you mean …?"); a word
// missing here only costs a suggestion, never a reading.
import { ALL_TABLES } from './words';

/** Every word the reading knows, lower case. */
export const PROMPT_WORDS: ReadonlySet<string> = new Set(
  ALL_TABLES.flatMap((table) => table.entries.flatMap((entry) => entry.forms.flatMap((form) => form.split(/[\s-]+/))))
    .map((word) => word.toLowerCase())
    .filter((word) => word !== ''),
);

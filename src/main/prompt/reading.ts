// The one reading of a prompt, made once where the prompt arrives (the segmenter's worker, the CLI) and
// passed down: what it names (grammar.ts, over the lexicon's words), its segment's coding (coding.ts), what
// it asks for that the model does not cover and the typos that change what it names (scope.ts), and the
// texts the model reads (as typed, or its canonical text; as a mirrored view reads it; inside a pointed
// prompt's window).
import type { SegmentCoding } from '../../shared/labelmap/coding';
import { canonicalText } from './canonical';
import { promptCoding } from './coding';
import {
  type FilmCell,
  filmCell,
  findingCount,
  findingLabel,
  type LungPlaces,
  lesionKind,
  lungPlaces,
  mentionsChest,
  mirroredSides,
  namedSides,
  type TargetKind,
  targetKind,
  withoutFilmPlace,
} from './grammar';
import { correctedPrompt, uncoveredIn } from './scope';
import { PROMPT_WORDS } from './vocabulary';
import { readWords, type WordMatch } from './words';

/** A run of the prompt's words and the lexicon's canonical term for it ("GGOs" → "ground-glass opacity"). */
export type ReadTerm = Pick<WordMatch, 'table' | 'term' | 'text' | 'start' | 'end'>;

export interface PromptReading {
  /** The prompt as typed. */
  text: string;
  /** `text` as a mirrored test-time view reads it: "left" and "right" swapped. */
  mirrored: string;
  kind: TargetKind;
  /** The prompt is about the lungs or the chest at all (any chest word): chest answers keep the 0.5 cut. */
  chest: boolean;
  /** Where a chest finding is placed (the lung gate), or null when the prompt places no finding in the lungs. */
  lungPlaces: LungPlaces | null;
  /** The ninth of the film a prompt not about the chest names (the film-region gate), or null. */
  filmCell: FilmCell | null;
  /** A bone lesion's kind as BTXRD names it ("osteochondroma"), or null. */
  lesionKind: string | null;
  /** How many areas or lesions the prompt counts, or null. */
  count: number | null;
  /** The eval breakdown's label: the lesion's kind, the count of infected areas, which lung, or "other". */
  label: string;
  /**
   * The segment's coding (DICOM SEG's category and type), or null when the prompt names nothing codable
   * or asks for what the model does not cover (the answer is then not what the code would say).
   */
  coding: SegmentCoding | null;
  /** What the lexicon read in the prompt, in prompt order: each run of words with its canonical term. */
  terms: ReadTerm[];
  /** The prompt's words no lexicon entry covered, as typed: kept visible, never silently dropped. */
  unread: string[];
  /**
   * The reading in the training descriptions' own form (canonical.ts), which the model reads instead of
   * `text`; null when nothing the model was trained to find was read (the model then reads `text`).
   */
  canonical: string | null;
  /** What the prompt names that the model does not cover ("pneumothorax", "the heart"), or null. */
  outOfScope: string | null;
  /** The prompt with its typos corrected, when that names something else ("right lung" for "rigth lung"); else null. */
  didYouMean: string | null;
}

/** What the model is fed: the canonical text where there is one, or the prompt as typed. */
export type Feed = 'canonical' | 'raw';
export const FEEDS: readonly Feed[] = ['canonical', 'raw'];

/** The text the model reads for `reading`, and as a mirrored view reads it. */
export function modelText(reading: PromptReading, feed: Feed = 'canonical'): { text: string; mirrored: string } {
  if (feed === 'raw' || reading.canonical === null) return { text: reading.text, mirrored: reading.mirrored };
  return { text: reading.canonical, mirrored: mirroredSides(reading.canonical) };
}

/** What a reading names, beside its typed texts and the notes on them: two prompts naming the same read the same. */
function named(reading: PromptReading): string {
  const { kind, lungPlaces, filmCell, lesionKind, count, label, coding, canonical, outOfScope } = reading;
  return JSON.stringify({ kind, lungPlaces, filmCell, lesionKind, count, label, coding, canonical, outOfScope });
}

export function readPrompt(text: string): PromptReading {
  const reading = readAsTyped(text);
  const corrected = correctedPrompt(text, reading.unread, PROMPT_WORDS);
  const meant = corrected && named(readAsTyped(corrected)) !== named(reading) ? corrected : null;
  return { ...reading, didYouMean: meant };
}

/** The reading of `text` as typed (no typo looked for). */
function readAsTyped(text: string): PromptReading {
  const chest = mentionsChest(text);
  const places = lungPlaces(text);
  const kind = targetKind(text, chest, places);
  const words = readWords(text);
  const filmPlace = chest ? null : filmCell(text);
  const outOfScope = uncoveredIn(text, chest);
  return {
    text,
    mirrored: mirroredSides(text),
    kind,
    chest,
    lungPlaces: places,
    filmCell: filmPlace,
    lesionKind: lesionKind(text),
    count: findingCount(text),
    label: findingLabel(text),
    coding: outOfScope ? null : promptCoding(text, kind, places, words.matches),
    terms: words.matches
      .filter((m) => m.term !== '')
      .map(({ table, term, text: typed, start, end }) => ({ table, term, text: typed, start, end })),
    unread: words.unread,
    canonical: canonicalText({
      kind,
      lungPlaces: places,
      filmCell: filmPlace,
      sides: namedSides(text),
      matches: words.matches,
      unread: words.unread,
    }),
    outOfScope,
    didYouMean: null,
  };
}

/** A prompt's reading, read now when it is still text. */
export function readingOf(prompt: string | PromptReading): PromptReading {
  return typeof prompt === 'string' ? readPrompt(prompt) : prompt;
}

/**
 * The reading inside a pointed prompt's zoomed window: the window, not the ninth of the film, says where,
 * so the model reads the prompt without its film place (as the region model was trained). What the
 * prompt names and its coding stay the whole prompt's.
 */
export function inWindow(reading: PromptReading): PromptReading {
  const text = withoutFilmPlace(reading.text);
  const canonical = reading.canonical && withoutFilmPlace(reading.canonical);
  return { ...reading, text, mirrored: mirroredSides(text), filmCell: null, canonical };
}

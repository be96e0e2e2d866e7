// The one reading of a prompt, made once where the prompt arrives (the segmenter's worker, the CLI) and
// passed down: what it names (grammar.ts), its segment's coding (coding.ts), what it asks for that the
// model does not cover and the typos that change what it names (scope.ts), and the texts the model
// reads (as typed, as a mirrored view reads it, inside a pointed prompt's window).
import type { SegmentCoding } from '../../shared/labelmap/coding';
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
  type TargetKind,
  targetKind,
  withoutFilmPlace,
} from './grammar';
import { correctedPrompt, uncoveredIn } from './scope';
import { PROMPT_WORDS } from './vocabulary';

export interface PromptReading {
  /** The prompt the model reads. */
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
  /** What the prompt names that the model does not cover ("pneumothorax", "the heart"), or null. */
  outOfScope: string | null;
  /** The prompt with its typos corrected, when that names something else ("right lung" for "rigth lung"); else null. */
  didYouMean: string | null;
}

/** What a reading names, beside its texts and the notes on them: two prompts naming the same read the same. */
function named(reading: PromptReading): string {
  const { text, mirrored, didYouMean, ...rest } = reading;
  return JSON.stringify(rest);
}

export function readPrompt(text: string): PromptReading {
  const reading = readWords(text);
  const corrected = correctedPrompt(text, PROMPT_WORDS);
  const meant = corrected && named(readWords(corrected)) !== named(reading) ? corrected : null;
  return { ...reading, didYouMean: meant };
}

/** The reading of `text` as typed (no typo looked for). */
function readWords(text: string): PromptReading {
  const chest = mentionsChest(text);
  const places = lungPlaces(text);
  const kind = targetKind(text, chest, places);
  const outOfScope = uncoveredIn(text, chest);
  return {
    text,
    mirrored: mirroredSides(text),
    kind,
    chest,
    lungPlaces: places,
    filmCell: chest ? null : filmCell(text),
    lesionKind: lesionKind(text),
    count: findingCount(text),
    label: findingLabel(text),
    coding: outOfScope ? null : promptCoding(text, kind, places),
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
  return { ...reading, text, mirrored: mirroredSides(text), filmCell: null };
}

// A prompt's reading as the prompt box shows it (src/shared/shown-reading.ts): short terms in reading
// order (what, where, how many), the words not understood, and the coding. The places are the ones the
// gates take (lung zones, the ninth of the film); what, and on which bone, are the lexicon's canonical
// terms. Pure and model-free, so the renderer may ask it on every pause in typing.
import { type KnownCoding, knownCoding, type Laterality, lateralityOf } from '../../shared/labelmap/coding';
import { MAX_SHOWN_UNREAD, type ShownReading } from '../../shared/shown-reading';
import { type FilmCell, type LungPlaces, type Side, ZONES, type Zone } from './grammar';
import { APPEARANCE, BONE_PARTS, BONES, LESION_KINDS, LESION_WORDS, LIMBS, MALIGNANCY } from './lexicon/bone';
import { DISTRIBUTION, FINDINGS } from './lexicon/chest';
import { SIDES, type Table, VIEWS } from './lexicon/common';
import type { PromptReading } from './reading';
import { uncoveredNotice } from './scope';

export const EMPTY_PROMPT =
  'Type what to segment, e.g. “left lung”, “RLL consolidation” or “osteochondroma of the distal femur”.';
export const NOTHING_READ =
  'No word of this prompt was understood: the model reads English, e.g. “infection, right lower zone”, “left lung”, “osteochondroma of the femur”.';

/** A chest finding's term by its coding, where the lexicon read no finding word. */
const FINDING_TERMS: Partial<Record<KnownCoding, string>> = {
  infiltrate: 'infection',
  consolidation: 'consolidation',
  nodule: 'nodule',
  atelectasis: 'atelectasis',
  'lung-lesion': 'lesion',
};

/** Where on a bone, said before the bone ("distal femur"); the other parts follow it as terms of their own. */
const BONE_END = new Set(['distal', 'proximal']);

const LUNGS_BY_SIDE = { left: 'left lung', right: 'right lung', both: 'both lungs' } as const;
const FILM_ROWS = ['upper', 'central', 'lower'] as const;
const FILM_COLUMNS = ['left', 'central', 'right'] as const;

/** "lower zone", "middle and lower zones"; null for all three (the whole lung). */
function zonesTerm(zones: readonly Zone[]): string | null {
  if (zones.length === ZONES.length) return null;
  const named = zones.length === 2 ? `${zones[0]} and ${zones[1]}` : zones.join(', ');
  return `${named} ${zones.length === 1 ? 'zone' : 'zones'}`;
}

/**
 * Where a chest finding lies: "both lungs", "lower zones"; per lung when the lungs differ. No lung named:
 * "both lungs" when the coding's laterality says both ("bilateral infection"), else "lungs".
 */
function lungPlaceTerms(places: LungPlaces, laterality: Laterality | null): string[] {
  const sides = (['right', 'left'] as const).filter((s) => places[s]);
  const zones = (side: Side) => places[side] ?? ZONES;
  if (sides.length === 0) return [laterality === 'both' ? LUNGS_BY_SIDE.both : 'lungs'];
  const [first, second] = sides;
  if (!second || zones(first as Side).join() === zones(second).join()) {
    const lungs = second ? LUNGS_BY_SIDE.both : LUNGS_BY_SIDE[first as Side];
    const term = zonesTerm(zones(first as Side));
    return term ? [lungs, term] : [lungs];
  }
  return sides.map((side) => {
    const term = zonesTerm(zones(side));
    return term ? `${side} ${term}` : LUNGS_BY_SIDE[side];
  });
}

/** "lower left of the film", "centre of the film". */
function filmTerm({ row, column }: FilmCell): string {
  if (row === 1 && column === 1) return 'centre of the film';
  const words = [row === 1 ? '' : FILM_ROWS[row], column === 1 ? '' : FILM_COLUMNS[column]].filter(Boolean);
  return `${words.join(' ')} of the film`;
}

function countTerm(count: number, kind: PromptReading['kind']): string {
  const noun = kind === 'bone lesion' ? 'lesion' : 'area';
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** The lexicon's canonical terms of one table, each once, in the prompt's order. */
function lexiconTerms(reading: PromptReading, table: Table): string[] {
  return [...new Set(reading.terms.filter((t) => t.table === table.name).map((t) => t.term))];
}

/** Where on which bone: "left distal femur", "metaphysis"; the limb where no bone is named. */
function bonePlaceTerms(reading: PromptReading): string[] {
  const parts = lexiconTerms(reading, BONE_PARTS);
  const bones = lexiconTerms(reading, BONES);
  const named = bones.length > 0 ? bones : lexiconTerms(reading, LIMBS);
  const ends = parts.filter((p) => BONE_END.has(p));
  // With a ninth of the film read, "left" and "right" are the film's ("in the lower-left region"), not the bone's.
  const sides = reading.filmCell ? [] : lexiconTerms(reading, SIDES);
  const before = [...sides, ...ends];
  const rest = parts.filter((p) => !BONE_END.has(p));
  if (named.length === 0) return [...before, ...rest];
  return [...named.map((bone) => [...before, bone].join(' ')), ...rest];
}

/** What the reading names, in reading order: what, where, how many, how it was seen. */
function readingTerms(reading: PromptReading): string[] {
  const { kind, coding, count } = reading;
  const known = coding ? knownCoding(coding) : null;
  const side = coding ? lateralityOf(coding) : null;
  const terms: string[] = [];
  switch (kind) {
    case 'no findings':
      return ['no findings'];
    case 'lung':
      terms.push(side ? LUNGS_BY_SIDE[side] : 'lungs');
      break;
    case 'chest finding': {
      const findings = lexiconTerms(reading, FINDINGS);
      const fallback = FINDING_TERMS[known ?? 'tissue'] ?? 'chest finding';
      // A negation the kind did not take ("no consolidation" as a chest finding) is not shown: the line says
      // what the answer is made from, and the answer will mark the finding.
      terms.push(...(findings.length > 0 ? findings : [fallback]));
      if (reading.lungPlaces) terms.push(...lungPlaceTerms(reading.lungPlaces, side));
      else if (side) terms.push(LUNGS_BY_SIDE[side]);
      terms.push(...lexiconTerms(reading, DISTRIBUTION));
      break;
    }
    case 'bone lesion': {
      const kinds = lexiconTerms(reading, LESION_KINDS);
      if (kinds.length > 0) terms.push(...kinds);
      else if (reading.lesionKind) terms.push(reading.lesionKind);
      else if (lexiconTerms(reading, LESION_WORDS).length > 0) terms.push('lesion');
      else if (known === 'bone-neoplasm') terms.push('bone tumour');
      terms.push(
        ...bonePlaceTerms(reading),
        ...lexiconTerms(reading, APPEARANCE),
        ...lexiconTerms(reading, MALIGNANCY),
      );
      if (reading.filmCell) terms.push(filmTerm(reading.filmCell));
      break;
    }
  }
  if (terms.length === 0) return terms;
  if (count !== null) terms.push(countTerm(count, kind));
  return [...terms, ...lexiconTerms(reading, VIEWS).map((view) => `${view} view`)];
}

export function shownReading(reading: PromptReading): ShownReading {
  const terms = readingTerms(reading);
  const { unread } = reading;
  const empty = !reading.text.trim();
  return {
    terms,
    unread: unread.slice(0, MAX_SHOWN_UNREAD),
    moreUnread: Math.max(0, unread.length - MAX_SHOWN_UNREAD),
    coding: reading.coding,
    problem: empty ? EMPTY_PROMPT : terms.length === 0 ? NOTHING_READ : null,
    outOfScope: reading.outOfScope && uncoveredNotice(reading.outOfScope),
    didYouMean: reading.didYouMean,
  };
}

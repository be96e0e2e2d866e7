// A prompt's reading as the prompt box shows it (src/shared/shown-reading.ts): short terms in reading
// order (what, where, how many), the words not understood, and the coding. Pure and model-free, so the
// renderer may ask it on every pause in typing.
import { type KnownCoding, knownCoding, lateralityOf } from '../../shared/labelmap/coding';
import { MAX_SHOWN_UNREAD, type ShownReading } from '../../shared/shown-reading';
import { type FilmCell, type LungPlaces, type Side, ZONES, type Zone } from './grammar';
import type { PromptReading } from './reading';

export const EMPTY_PROMPT =
  'Type what to segment, e.g. “left lung”, “RLL consolidation” or “osteochondroma of the distal femur”.';
export const NOTHING_READ =
  'No word of this prompt was understood: the model reads English, e.g. “infection, right lower zone”, “left lung”, “osteochondroma of the femur”.';

/** A chest finding's term, by the coding the grammar gave it. */
const FINDING_TERMS: Partial<Record<KnownCoding, string>> = {
  infiltrate: 'infection',
  consolidation: 'consolidation',
  nodule: 'nodule',
  atelectasis: 'atelectasis',
  'lung-lesion': 'lesion',
};

const LUNGS_BY_SIDE = { left: 'left lung', right: 'right lung', both: 'both lungs' } as const;
const FILM_ROWS = ['upper', 'central', 'lower'] as const;
const FILM_COLUMNS = ['left', 'central', 'right'] as const;

/** "lower zone", "middle and lower zones"; null for all three (the whole lung). */
function zonesTerm(zones: readonly Zone[]): string | null {
  if (zones.length === ZONES.length) return null;
  const named = zones.length === 2 ? `${zones[0]} and ${zones[1]}` : zones.join(', ');
  return `${named} ${zones.length === 1 ? 'zone' : 'zones'}`;
}

/** Where a chest finding lies: "both lungs", "lower zones"; per lung when the lungs differ. */
function lungPlaceTerms(places: LungPlaces): string[] {
  const sides = (['right', 'left'] as const).filter((s) => places[s]);
  const zones = (side: Side) => places[side] ?? ZONES;
  if (sides.length === 0) return ['lungs'];
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

/** What the reading names, in reading order: what, where, how many. */
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
    case 'chest finding':
      terms.push(FINDING_TERMS[known ?? 'tissue'] ?? 'chest finding');
      if (reading.lungPlaces) terms.push(...lungPlaceTerms(reading.lungPlaces));
      else if (side) terms.push(LUNGS_BY_SIDE[side]);
      break;
    case 'bone lesion':
      if (reading.lesionKind) terms.push(reading.lesionKind);
      else if (known === 'bone-neoplasm') terms.push('bone tumour');
      if (reading.filmCell) terms.push(filmTerm(reading.filmCell));
      break;
  }
  if (count !== null && terms.length > 0) terms.push(countTerm(count, kind));
  return terms;
}

export function shownReading(reading: PromptReading): ShownReading {
  const terms = readingTerms(reading);
  const unread: string[] = [];
  const empty = !reading.text.trim();
  return {
    terms,
    unread: unread.slice(0, MAX_SHOWN_UNREAD),
    moreUnread: Math.max(0, unread.length - MAX_SHOWN_UNREAD),
    coding: reading.coding,
    problem: empty ? EMPTY_PROMPT : terms.length === 0 ? NOTHING_READ : null,
  };
}

// The words of a prompt and what they name: the pieces of the one reading (reading.ts) the segmenter's
// gates and lesion cut take, the data module's wordings (the same side, zone and number words), and the
// eval breakdown's labels.
//
// Two kinds of place words, on purpose read differently:
// - chest prompts name the **patient's** sides ("left lung", "RLL"), and lung zones (thirds of each lung's
//   height) or lobes, mapped onto zones;
// - bone prompts name a ninth of the **film** in image directions, as BTXRD's descriptions end ("located in
//   the lower-left region"): the lesion's centre lies in the named ninth on 1234 of 1305 training films.
// The rules were written for the training wordings (docs/DATA.md) and extended to how radiologists write
// (lobes and their abbreviations, hila, bases, apices, "no findings"); the training and val descriptions
// read exactly as before the extension (grammar.test.ts lists the cases).

import { LESION_KINDS, LESION_WORDS } from './lexicon/bone';
import {
  FINDINGS,
  type Finding,
  LOBE_WORDS,
  LOBE_ZONES,
  LOBES,
  type Lobe,
  LUNGS,
  NAMES_CHEST,
  WHOLE,
  ZONE_WORDS,
} from './lexicon/chest';
import { LATERALITY, NEGATION, NUMBER_WORDS, SIDES, type Side, ZONES, type Zone } from './lexicon/common';
import { readWords, type WordMatch } from './words';

export type { Side, Zone };
export { ZONES };

/** Zones named per lung; a lung left out is not named. Empty: the lungs, no side named. */
export type LungPlaces = Partial<Record<Side, readonly Zone[]>>;

/** A ninth of the film: row 0 is the top third, column 0 the image's left third. */
export interface FilmCell {
  row: 0 | 1 | 2;
  column: 0 | 1 | 2;
}

/** What the prompt asks for: a lung itself, a finding in the chest, a bone lesion, or explicitly nothing. */
export type TargetKind = 'lung' | 'chest finding' | 'bone lesion' | 'no findings';

// --- words -------------------------------------------------------------------------------------------

const IN_LUNGS = /\b(lungs?|pulmonary|bilateral(ly)?|unilateral(ly)?)\b/i;
const CHEST =
  /\b(chest|thora\w*|hemithora\w*|pneumonia|covid\S*|infect\w*|opacit\w*|consolidation\w*|zones?|lobes?|lobar|\w*hil(ar|um|a)|pleura\w*|mediastin\w*|costophrenic|bronch\w*|airspace|ground[- ]glass|lingula\w*|retrocardiac|[rl][ulm]l)\b/i;
/** Where in the lungs a chest word points, beyond the zone words themselves. */
const LUNG_LOCATION =
  /\b(lobes?|lobar|zones?|\w*hil(ar|um|a)|lingula\w*|apex|apices|apical|bases|basal|bibasal|bibasilar|basilar|[rl][ulm]l)\b/i;
const NO_FINDINGS =
  /^\s*(?:no (?:acute )?(?:findings?|abnormalit(?:y|ies)|(?:pulmonary )?infection|lesions?|opacit(?:y|ies))|normal(?: (?:chest|study|film|lungs))?|nothing(?: abnormal)?)(?![\w-])/i;
const ZONE_WORD = /\b(upper|middle|lower)\b/i;

const ROWS: Record<string, FilmCell['row']> = {
  upper: 0,
  top: 0,
  central: 1,
  centre: 1,
  center: 1,
  middle: 1,
  lower: 2,
  bottom: 2,
};
const COLUMNS: Record<string, FilmCell['column']> = { left: 0, right: 2 };
const CELL_WORD = `(?:${[...Object.keys(ROWS), ...Object.keys(COLUMNS)].join('|')})`;
const FILM_PART = new RegExp(`\\bin the (${CELL_WORD}(?:[- ]${CELL_WORD})?) (?:region|side|part)\\b`, 'i');

// --- readings ----------------------------------------------------------------------------------------

/** Whether a prompt names a finding (the lexicon's findings: "GGOs", "consolidation", "lesion", …). */
function namesFinding(text: string): boolean {
  return readWords(text).matches.some((m) => m.table === FINDINGS.name);
}

const CHEST_TABLES = new Set(NAMES_CHEST.map((t) => t.name));

/** Whether a prompt is about the lungs or the chest at all (a lung, a finding in them, a chest word). */
export function mentionsChest(text: string): boolean {
  if (IN_LUNGS.test(text) || CHEST.test(text)) return true;
  return readWords(text).matches.some((m) => CHEST_TABLES.has(m.table) && !(m.entry as Finding).sharedWithBone);
}

/** Where a negation's reach ends: the end of its clause (a comma, a stop, "but"). */
const CLAUSE_END = /[,;.:!?]|\bbut\b/gi;

/** The matches no negation reaches: "no" or "without" negates what follows it in its clause ("no consolidation, GGO right base"). */
export function affirmedMatches(text: string, matches: readonly WordMatch[]): WordMatch[] {
  const ends = [...text.matchAll(CLAUSE_END)].map((m) => m.index);
  let negatedUntil = -1;
  return matches.filter((m) => {
    if (m.table === NEGATION.name) {
      negatedUntil = ends.find((end) => end >= m.end) ?? text.length;
      return false;
    }
    return m.start >= negatedUntil;
  });
}

/** Tables whose matches are something to find: a chest finding, a bone lesion or its kind. */
const FOUND = new Set([FINDINGS.name, LESION_KINDS.name, LESION_WORDS.name]);

/**
 * Whether the prompt says there is nothing to find ("no findings", "normal chest", "no infection"), or
 * negates every finding it names ("no consolidation", "without pneumonia", "no bone lesion").
 */
export function saysNoFindings(text: string): boolean {
  if (NO_FINDINGS.test(text)) return true;
  const { matches } = readWords(text);
  if (!matches.some((m) => FOUND.has(m.table))) return false;
  return !affirmedMatches(text, matches).some((m) => FOUND.has(m.table));
}

/**
 * Where a prompt places a finding in the lungs, or null when it does not ask for a finding in the lungs
 * (a lung itself, a bone lesion). Per clause (split at commas, semicolons and "and"), a clause naming one
 * side names that lung, with the zones it names (zone words, lobes, hila, apices, bases) or all three; a
 * clause naming zones and no side names them in both lungs.
 */
export function lungPlaces(text: string): LungPlaces | null {
  if (!namesFinding(text) || !(IN_LUNGS.test(text) || LUNG_LOCATION.test(text) || placesInChest(text))) return null;
  const places: Partial<Record<Side, Set<Zone>>> = {};
  const add = (side: Side, zones: readonly Zone[]) => {
    const set = places[side] ?? new Set<Zone>();
    for (const z of zones) set.add(z);
    places[side] = set;
  };
  for (const clause of text.split(/[,;]|\band\b/i)) {
    const words = readWords(clause).matches;
    const lobes = words.filter((m) => m.table === LOBES.name);
    if (lobes.length > 0) {
      for (const m of lobes) add((m.entry as Lobe).side, (m.entry as Lobe).zones);
      continue;
    }
    const sides = words.filter((m) => m.table === SIDES.name).map((m) => m.term as Side);
    const zones = clauseZones(words);
    if (sides.length === 1) add(sides[0] as Side, zones ?? ZONES);
    else if (sides.length === 0 && zones) for (const side of ['left', 'right'] as const) add(side, zones);
  }
  return Object.fromEntries(
    Object.entries(places).map(([side, set]) => [side, ZONES.filter((z) => set.has(z))]),
  ) as LungPlaces;
}

/** A prompt about the chest naming a side or a zone ("GGO right base", "consolidation, left"): it places the finding in the lungs. */
function placesInChest(text: string): boolean {
  return (
    mentionsChest(text) && readWords(text).matches.some((m) => m.table === SIDES.name || m.table === ZONE_WORDS.name)
  );
}

/** The zones one clause names (zone words, hila, apices, bases; beside "lobe", the lobe's), or null when it names none (or the whole lung). */
function clauseZones(words: readonly WordMatch[]): readonly Zone[] | null {
  if (words.some((m) => m.table === WHOLE.name)) return null;
  const lobar = words.some((m) => m.table === LOBE_WORDS.name);
  const zones = new Set<Zone>();
  for (const m of words)
    if (m.table === ZONE_WORDS.name)
      for (const z of lobar ? LOBE_ZONES[m.term as Zone] : [m.term as Zone]) zones.add(z);
  return zones.size > 0 ? ZONES.filter((z) => zones.has(z)) : null;
}

/** The ninth of the film a prompt places its finding in ("in the lower-left region"), or null. */
export function filmCell(text: string): FilmCell | null {
  const found = FILM_PART.exec(text);
  if (!found) return null;
  const cell: FilmCell = { row: 1, column: 1 };
  for (const word of (found[1] as string).toLowerCase().split(/[- ]/)) {
    if (word in ROWS) cell.row = ROWS[word] as FilmCell['row'];
    else cell.column = COLUMNS[word] as FilmCell['column'];
  }
  return cell;
}

/**
 * The prompt without its film place ("…, located in the lower-left region."): inside a zoomed window the
 * ninth of the film no longer says where, the window does.
 */
export function withoutFilmPlace(text: string): string {
  const found = FILM_PART.exec(text);
  if (!found) return text;
  const before = text.slice(0, found.index).replace(/[,;]?\s*(located|situated|seen|found)?\s*$/i, '');
  return `${before}${text.slice(found.index + found[0].length)}`.replace(/\s+([.,;])/g, '$1').trim();
}

/** A bone lesion's kind as BTXRD's descriptions name it ("One benign osteochondroma lesion …"), by the lexicon's synonyms ("exostosis", "GCT"). */
export function lesionKind(text: string): string | null {
  return readWords(text).matches.find((m) => m.table === LESION_KINDS.name)?.term ?? null;
}

/** The number of areas or lesions a prompt counts ("two infected areas", "3 opacities"), or null. */
export function findingCount(text: string): number | null {
  const counted =
    /\b(\w+)\s+(?:(?:benign|malignant)\s+.+?\s+lesions?|infected\s+(?:areas?|regions?)|areas?\s+of\s+infection|lesions?|opacities|opacity|nodules?)\b/i.exec(
      text,
    );
  if (!counted) return null;
  const word = (counted[1] as string).toLowerCase();
  const n = /^\d+$/.test(word) ? Number(word) : NUMBER_WORDS.indexOf(word);
  return n >= 0 ? n : null;
}

/** Whether the words name the lungs: a lung word ("lung", "pulmón") or both lungs at once ("bilateral", "both lungs"). */
export function namesLungs(matches: readonly WordMatch[]): boolean {
  return matches.some(
    (m) => (m.table === LUNGS.name && m.term === 'lung') || (m.table === LATERALITY.name && m.term === 'bilateral'),
  );
}

/** The sides a prompt names ("left", "LLL", "izquierdo"), each once, in the order they come. */
export function namedSides(text: string): Side[] {
  const sides = readWords(text).matches.flatMap((m) => {
    if (m.table === SIDES.name) return [m.term as Side];
    return m.table === LOBES.name ? [(m.entry as Lobe).side] : [];
  });
  return [...new Set(sides)];
}

/** Whether the prompt names both sides in one word ("bilateral", "both lungs", "ambos"), or says "lungs". */
export function saysBothSides(text: string): boolean {
  return (
    /\blungs\b/i.test(text) ||
    readWords(text).matches.some((m) => m.table === LATERALITY.name && m.term === 'bilateral')
  );
}

/**
 * What the prompt names, in the words of the val descriptions: a bone lesion's kind ("osteochondroma",
 * "bone tumor"), the count of infected areas ("two areas"), or which lung ("left lung"); "other" otherwise.
 */
export function findingLabel(text: string): string {
  const kind = lesionKind(text);
  if (kind) return kind;
  const areas = /\b(\w+)\s+infected\s+areas?\b/i.exec(text);
  if (areas) return `${(areas[1] as string).toLowerCase()} ${areas[0].endsWith('s') ? 'areas' : 'area'}`;
  if (/\blungs?\b/i.test(text)) {
    const sides = namedSides(text);
    return sides.length === 1 ? `${sides[0]} lung` : 'both lungs';
  }
  return 'other';
}

/**
 * What the prompt asks for, given whether it is about the chest (mentionsChest) and where it places a
 * finding in the lungs (lungPlaces).
 */
export function targetKind(text: string, chest: boolean, places: LungPlaces | null): TargetKind {
  if (saysNoFindings(text)) return 'no findings';
  if (places !== null || (chest && (namesFinding(text) || LUNG_LOCATION.test(text) || ZONE_WORD.test(text))))
    return 'chest finding';
  return chest ? 'lung' : 'bone lesion';
}

/** The prompt as a mirrored film shows it: "left" and "right" swapped (whole words, any case). */
export function mirroredSides(text: string): string {
  return text.replace(/\b(left|right)\b/gi, (word) => {
    const swapped = word.toLowerCase() === 'left' ? 'right' : 'left';
    if (word === word.toUpperCase()) return swapped.toUpperCase();
    return word[0] === word[0]?.toUpperCase() ? swapped[0]?.toUpperCase() + swapped.slice(1) : swapped;
  });
}

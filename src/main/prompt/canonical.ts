// A prompt's reading written back in the training descriptions' own form, so the model reads what the
// prompt means in the words it was trained on: "RLL consolidation" → "Unilateral pulmonary infection,
// middle lower right lung."; "exostosis, distal femur" → "One benign osteochondroma lesion in the femur of
// the lower limb." Every training and val description reads back byte-identical (canonical.test.ts), so
// template prompts reach the model as before. The chest descriptions and lung prompts are written here
// (data/ builds its samples with these); BTXRD's are its own, and this writes their form.

import { type FilmCell, type LungPlaces, namesLungs, type TargetKind } from './grammar';
import { BONES, LESION_KINDS, LESION_WORDS, type LesionKind, LIMBS, type Limb, MALIGNANCY } from './lexicon/bone';
import { FINDINGS } from './lexicon/chest';
import { COUNTS, LATERALITY, NUMBER_WORDS, type Side, VIEWS, type Zone } from './lexicon/common';
import type { WordMatch } from './words';

export type LungTarget = 'left' | 'right' | 'both';

/** The canonical lung prompts, as the model was trained and is evaluated on them. */
export const LUNG_PROMPTS: Record<LungTarget, string> = { left: 'left lung', right: 'right lung', both: 'both lungs' };

export const NO_INFECTION = 'No pulmonary infection.';

/** A count as the chest descriptions write it: "two", or digits past ten. */
export function countWord(n: number): string {
  return NUMBER_WORDS[n] ?? String(n);
}

/** What a chest description says: each part may be unknown (left out of the text). */
export interface InfectionFacts {
  laterality: 'bilateral' | 'unilateral' | null;
  count: number | null;
  /** Zones per lung (a lung left out holds none); null: no place said. */
  places: LungPlaces | null;
}

function zonePhrase(zones: readonly Zone[]): string {
  return zones.length === 3 ? 'all' : zones.join(' ');
}

/**
 * e.g. "Bilateral pulmonary infection, two infected areas, upper left lung and lower right lung." The
 * patient's left lung is named first, as in the QaTa-COV19 annotations; a part not known is left out,
 * as the training wordings leave parts out.
 */
export function infectionDescription(f: InfectionFacts): string {
  if (f.count === 0) return NO_INFECTION;
  const sides = (['left', 'right'] as const).filter((side) => (f.places?.[side]?.length ?? 0) > 0);
  const laterality = sides.length === 2 ? 'bilateral' : sides.length === 1 ? 'unilateral' : f.laterality;
  const parts = [
    laterality && `${laterality === 'bilateral' ? 'Bilateral' : 'Unilateral'} pulmonary infection`,
    f.count !== null && `${countWord(f.count)} infected area${f.count === 1 ? '' : 's'}`,
    sides.length > 0 && sides.map((side) => `${zonePhrase(f.places?.[side] ?? [])} ${side} lung`).join(' and '),
  ].filter((p): p is string => typeof p === 'string');
  // Nothing known beyond the finding itself: the lungs' most usual answer, both of them.
  if (parts.length === 0) parts.push('Bilateral pulmonary infection');
  const text = parts.join(', ');
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}.`;
}

/** BTXRD's counts: "One" to "Five" in words, then digits. */
function lesionCount(n: number): string {
  const word = NUMBER_WORDS[n];
  return n <= 5 && word ? `${word.charAt(0).toUpperCase()}${word.slice(1)}` : String(n);
}

/** BTXRD's ninth of the film, as its descriptions end: "central region", "left side", "upper-left region". */
function filmPlace(cell: FilmCell): string {
  const row = ['upper', '', 'lower'][cell.row] as string;
  const column = ['left', '', 'right'][cell.column] as string;
  if (row && column) return `${row}-${column} region`;
  if (column) return `${column} side`;
  return `${row || 'central'} region`;
}

/** What a bone description says; a part not known is null. */
export interface LesionFacts {
  count: number | null;
  malignancy: 'benign' | 'malignant' | null;
  kind: LesionKind | null;
  bone: string | null;
  limb: Limb | null;
  view: string | null;
  cell: FilmCell | null;
}

/**
 * e.g. "One benign osteochondroma lesion in the tibia of the lower limb (frontal view), located in the
 * central region." The view is said only with the film place: BTXRD's descriptions always go on after
 * it, and the text tokenizer knows no ")" that ends one.
 */
export function lesionDescription(f: LesionFacts): string {
  const count = f.count ?? 1;
  const malignancy = f.malignancy ?? f.kind?.malignancy ?? 'benign';
  const kind = f.kind?.term ?? 'bone tumor';
  let text = `${lesionCount(count)} ${malignancy} ${kind} lesion${count === 1 ? '' : 's'}`;
  if (f.bone) {
    const limb = f.limb ?? BONES.entries.find((b) => b.term === f.bone)?.limb ?? 'lower limb';
    text += ` in the ${f.bone} of the ${limb}`;
  }
  if (f.cell) text += ` (${f.view ?? 'frontal'} view), located in the ${filmPlace(f.cell)}`;
  return `${text}.`;
}

/** What the grammar read in a prompt, as canonicalText takes it. */
export interface ReadFacts {
  kind: TargetKind;
  lungPlaces: LungPlaces | null;
  filmCell: FilmCell | null;
  /** The sides a lung prompt names. */
  sides: readonly Side[];
  matches: readonly WordMatch[];
  /** Words the lexicon did not read. */
  unread: readonly string[];
}

const first = (matches: readonly WordMatch[], table: string) => matches.find((m) => m.table === table);

/** The count the prompt says, in words or digits, or null. */
function countOf(matches: readonly WordMatch[]): number | null {
  const count = first(matches, COUNTS.name);
  return count ? Number(count.term) : null;
}

/**
 * The reading in the training descriptions' form, or null when the reading names nothing the model was
 * trained to find: a lung prompt with no lung word ("chest"), a chest prompt with no finding and words
 * not read ("hilar enlargement"), a bone prompt with no lesion, kind or bone. The model then reads the
 * prompt as typed.
 */
export function canonicalText(read: ReadFacts): string | null {
  const { matches } = read;
  switch (read.kind) {
    case 'no findings':
      return NO_INFECTION;
    case 'lung':
      if (!namesLungs(matches)) return null;
      return LUNG_PROMPTS[read.sides.length === 1 ? (read.sides[0] as Side) : 'both'];
    case 'chest finding': {
      if (!first(matches, FINDINGS.name) && read.unread.length > 0) return null;
      const laterality = first(matches, LATERALITY.name)?.term as InfectionFacts['laterality'] | undefined;
      return infectionDescription({ laterality: laterality ?? null, count: countOf(matches), places: read.lungPlaces });
    }
    case 'bone lesion': {
      const kind = first(matches, LESION_KINDS.name);
      const bone = first(matches, BONES.name);
      const lesion = kind ?? bone ?? first(matches, LESION_WORDS.name) ?? first(matches, FINDINGS.name);
      if (!lesion) return null;
      return lesionDescription({
        count: countOf(matches),
        malignancy: (first(matches, MALIGNANCY.name)?.term as LesionFacts['malignancy'] | undefined) ?? null,
        kind: (kind?.entry as LesionKind | undefined) ?? null,
        bone: bone?.term ?? null,
        limb: (first(matches, LIMBS.name)?.term as Limb | undefined) ?? null,
        view: first(matches, VIEWS.name)?.term ?? null,
        cell: read.filmCell,
      });
    }
  }
}

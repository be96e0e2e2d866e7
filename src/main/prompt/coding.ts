// A prompt's segment coded as DICOM SEG expects (src/shared/labelmap/coding.ts), from what the reading
// read in it: a lung with its side, a chest finding with the lungs it lies in (each finding word's coding
// is the lexicon's, lexicon/chest.ts), a bone lesion (lexicon/bone.ts, NAMES_BONE_LESION). Null where
// the prompt names nothing codable; the segment is then written as "Tissue".
import { codingOf, type Laterality, type SegmentCoding } from '../../shared/labelmap/coding';
import { affirmedMatches, type LungPlaces, namedSides, namesLungs, saysBothSides, type TargetKind } from './grammar';
import { NAMES_BONE_LESION } from './lexicon/bone';
import { FINDINGS, type Finding, type LungFindingCoding } from './lexicon/chest';
import type { WordMatch } from './words';

/** Most specific first: "consolidation with surrounding ground glass" is coded as the consolidation. */
const SPECIFICITY: readonly LungFindingCoding[] = [
  'consolidation',
  'nodule',
  'atelectasis',
  'infiltrate',
  'lung-lesion',
];

const LESION_TABLES = new Set(NAMES_BONE_LESION.map((t) => t.name));

function side(sides: readonly string[], both: boolean): Laterality | null {
  if (sides.length === 2) return 'both';
  if (sides.length === 1) return sides[0] as Laterality;
  return both ? 'both' : null;
}

/** The most specific coding of the chest findings the lexicon read, or null when it read none. */
function findingCoding(matches: readonly WordMatch[]): LungFindingCoding | null {
  const codings = new Set(matches.filter((m) => m.table === FINDINGS.name).map((m) => (m.entry as Finding).coding));
  return SPECIFICITY.find((c) => codings.has(c)) ?? null;
}

/** The coding of `text`, whose kind, lung places and words the reading has read (reading.ts). */
export function promptCoding(
  text: string,
  kind: TargetKind,
  places: LungPlaces | null,
  matches: readonly WordMatch[],
): SegmentCoding | null {
  switch (kind) {
    case 'no findings':
      return null;
    case 'lung':
      return namesLungs(matches) ? codingOf('lung', side(namedSides(text), saysBothSides(text))) : null;
    case 'chest finding': {
      const coding = findingCoding(affirmedMatches(text, matches));
      if (!coding) return null;
      const sides = places ? Object.keys(places) : namedSides(text);
      return codingOf(coding, side(sides, saysBothSides(text)));
    }
    case 'bone lesion':
      return matches.some((m) => LESION_TABLES.has(m.table) && m.term !== '') ? codingOf('bone-neoplasm') : null;
  }
}

// A prompt's segment coded as DICOM SEG expects (src/shared/labelmap/coding.ts), from what the
// grammar reads in it: a lung with its side, a chest finding with the lungs it lies in, a bone
// tumour. Null where the prompt names nothing codable; the segment is then written as "Tissue".
import { codingOf, type KnownCoding, type Laterality, type SegmentCoding } from '../../shared/labelmap/coding';
import {
  type FindingType,
  findingType,
  type LungPlaces,
  namedSides,
  namesBoneTumour,
  saysBothSides,
  type TargetKind,
} from './grammar';

const FINDING_CODINGS: Record<FindingType, KnownCoding> = {
  consolidation: 'consolidation',
  nodule: 'nodule',
  atelectasis: 'atelectasis',
  infiltrate: 'infiltrate',
  lesion: 'lung-lesion',
};

function side(sides: readonly string[], both: boolean): Laterality | null {
  if (sides.length === 2) return 'both';
  if (sides.length === 1) return sides[0] as Laterality;
  return both ? 'both' : null;
}

/** The coding of `text`, whose kind and lung places the grammar has read (reading.ts). */
export function promptCoding(text: string, kind: TargetKind, places: LungPlaces | null): SegmentCoding | null {
  switch (kind) {
    case 'no findings':
      return null;
    case 'lung':
      return /\blungs?\b/i.test(text) ? codingOf('lung', side(namedSides(text), saysBothSides(text))) : null;
    case 'chest finding': {
      const type = findingType(text);
      if (!type) return null;
      const sides = places ? Object.keys(places) : namedSides(text);
      return codingOf(FINDING_CODINGS[type], side(sides, saysBothSides(text)));
    }
    case 'bone lesion':
      return namesBoneTumour(text) ? codingOf('bone-neoplasm') : null;
  }
}

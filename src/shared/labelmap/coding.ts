// What a segment shows, coded as DICOM SEG expects (SNOMED CT, PS3.16 CID 7150/7151): a category,
// a type, and for paired organs a laterality. Laterality belongs to the type for an anatomical
// structure ("Lung, left") and to the anatomic region for a finding ("Infiltrate in the left lung").
// Shared so the renderer's segment row offers the same codes that main writes and reads.

export interface Code {
  value: string;
  scheme: string;
  meaning: string;
}

export interface SegmentCoding {
  category: Code;
  type: Code;
  /** Laterality of the type itself (an anatomical structure). */
  typeModifier?: Code;
  /** Where a finding lies. */
  region?: Code;
  /** Laterality of that region. */
  regionModifier?: Code;
}

const sct = (value: string, meaning: string): Code => ({ value, scheme: 'SCT', meaning });

export const CODES = {
  tissue: sct('85756007', 'Tissue'),
  anatomicalStructure: sct('91723000', 'Anatomical Structure'),
  abnormalStructure: sct('49755003', 'Morphologically Abnormal Structure'),
  lung: sct('39607008', 'Lung'),
  bone: sct('272673000', 'Bone'),
  infiltrate: sct('409609008', 'Radiologic infiltrate of lung'),
  consolidation: sct('95436008', 'Lung consolidation'),
  nodule: sct('27925004', 'Nodule'),
  atelectasis: sct('46621007', 'Atelectasis'),
  lesion: sct('52988006', 'Lesion'),
  neoplasm: sct('108369006', 'Neoplasm'),
} as const;

export type Laterality = 'left' | 'right' | 'both';

export const LATERALITY_CODES: Record<Laterality, Code> = {
  left: sct('7771000', 'Left'),
  right: sct('24028007', 'Right'),
  both: sct('51440002', 'Right and left'),
};

/** The codings the segment row offers, by a short name; laterality is chosen beside them. */
export const KNOWN_CODINGS = {
  tissue: { label: 'Tissue (not specified)', coding: { category: CODES.tissue, type: CODES.tissue } },
  lung: { label: 'Lung', coding: { category: CODES.anatomicalStructure, type: CODES.lung } },
  infiltrate: {
    label: 'Infiltrate',
    coding: { category: CODES.abnormalStructure, type: CODES.infiltrate, region: CODES.lung },
  },
  consolidation: {
    label: 'Consolidation',
    coding: { category: CODES.abnormalStructure, type: CODES.consolidation, region: CODES.lung },
  },
  nodule: { label: 'Nodule', coding: { category: CODES.abnormalStructure, type: CODES.nodule, region: CODES.lung } },
  atelectasis: {
    label: 'Atelectasis',
    coding: { category: CODES.abnormalStructure, type: CODES.atelectasis, region: CODES.lung },
  },
  'lung-lesion': {
    label: 'Lesion in the lung',
    coding: { category: CODES.abnormalStructure, type: CODES.lesion, region: CODES.lung },
  },
  lesion: { label: 'Lesion', coding: { category: CODES.abnormalStructure, type: CODES.lesion } },
  'bone-neoplasm': {
    label: 'Bone neoplasm',
    coding: { category: CODES.abnormalStructure, type: CODES.neoplasm, region: CODES.bone },
  },
} as const satisfies Record<string, { label: string; coding: SegmentCoding }>;

export type KnownCoding = keyof typeof KNOWN_CODINGS;

const sameCode = (a: Code | undefined, b: Code | undefined) => a?.value === b?.value && a?.scheme === b?.scheme;

/** Which offered coding this is (laterality aside), or null for a code from elsewhere (an imported SEG). */
export function knownCoding(coding: SegmentCoding): KnownCoding | null {
  for (const [key, known] of Object.entries(KNOWN_CODINGS) as [KnownCoding, { coding: SegmentCoding }][])
    if (
      sameCode(known.coding.category, coding.category) &&
      sameCode(known.coding.type, coding.type) &&
      sameCode(known.coding.region, coding.region)
    )
      return key;
  return null;
}

export function lateralityOf(coding: SegmentCoding): Laterality | null {
  const modifier = coding.region ? coding.regionModifier : coding.typeModifier;
  const found = Object.entries(LATERALITY_CODES).find(([, code]) => sameCode(code, modifier));
  return found ? (found[0] as Laterality) : null;
}

/** The coding with this laterality (null: none), on the region of a finding or else on the type. */
export function withLaterality(coding: SegmentCoding, side: Laterality | null): SegmentCoding {
  const { typeModifier, regionModifier, ...rest } = coding;
  if (!side) return rest;
  return coding.region
    ? { ...rest, regionModifier: LATERALITY_CODES[side] }
    : { ...rest, typeModifier: LATERALITY_CODES[side] };
}

/** One of the offered codings with a laterality. */
export function codingOf(key: KnownCoding, side: Laterality | null = null): SegmentCoding {
  return withLaterality(KNOWN_CODINGS[key].coding, side);
}

/** A short reading for the segment row: "Lung · left", "Lung consolidation · right and left". */
export function describeCoding(coding: SegmentCoding): string {
  const side = lateralityOf(coding);
  return side ? `${coding.type.meaning} · ${LATERALITY_CODES[side].meaning.toLowerCase()}` : coding.type.meaning;
}

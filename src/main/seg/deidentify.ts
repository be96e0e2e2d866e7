// DICOM PS3.15 Annex E basic application confidentiality profile, applied to the datasets we
// export. Our SEG carries only the patient and study attributes it copies, so the table covers
// those; anything else a future exporter copies must be added here before it ships.
import type { NaturalDataset } from './dicom-file';
import { derivedUid } from './uid';

export interface DeidentifyOptions {
  /** Secret that keys the UID and patient ID replacements: the same salt maps the same source the same way. */
  salt: string;
  /** PS3.15 "Retain UIDs" option: keep UIDs so the SEG still matches the identified source series. */
  retainUids?: boolean;
}

type Action = 'remove' | 'empty' | 'dummy';

// Action per attribute (PS3.15 Table E.1-1: X → remove, Z → empty, D → dummy value).
const ACTIONS: Record<string, Action> = {
  PatientName: 'dummy',
  PatientID: 'dummy',
  PatientBirthDate: 'empty',
  PatientSex: 'empty',
  PatientAge: 'remove',
  PatientBirthTime: 'remove',
  OtherPatientIDs: 'remove',
  OtherPatientNames: 'remove',
  PatientAddress: 'remove',
  PatientComments: 'remove',
  AccessionNumber: 'empty',
  StudyID: 'empty',
  StudyDate: 'empty',
  StudyTime: 'empty',
  SeriesDate: 'remove',
  SeriesTime: 'remove',
  ContentDate: 'dummy',
  ContentTime: 'dummy',
  ReferringPhysicianName: 'empty',
  StudyDescription: 'remove',
  SeriesDescription: 'remove',
  InstitutionName: 'remove',
  InstitutionAddress: 'remove',
  StationName: 'remove',
  OperatorsName: 'remove',
  ContentCreatorName: 'empty',
  DeviceSerialNumber: 'dummy',
  ClinicalTrialCoordinatingCenterName: 'empty',
};

const UID_KEYWORDS = new Set([
  'StudyInstanceUID',
  'SeriesInstanceUID',
  'SOPInstanceUID',
  'ReferencedSOPInstanceUID',
  'FrameOfReferenceUID',
  'DimensionOrganizationUID',
]);

function dummy(keyword: string, value: unknown, salt: string): unknown {
  switch (keyword) {
    case 'PatientName':
      return [{ Alphabetic: 'ANONYMOUS' }];
    case 'PatientID':
      // A stable pseudonym, so one patient's exports still group together.
      return `ANON-${derivedUid(String(value ?? ''), salt).slice(-10)}`;
    case 'ContentDate':
      return '19000101';
    case 'ContentTime':
      return '000000';
    default:
      return 'ANONYMIZED';
  }
}

function walk(ds: NaturalDataset, options: DeidentifyOptions): void {
  for (const [keyword, value] of Object.entries(ds)) {
    const action = ACTIONS[keyword];
    if (action === 'remove') delete ds[keyword];
    else if (action === 'empty') ds[keyword] = keyword.endsWith('Name') ? [] : '';
    else if (action === 'dummy') ds[keyword] = dummy(keyword, value, options.salt);
    else if (UID_KEYWORDS.has(keyword) && !options.retainUids && typeof value === 'string') {
      ds[keyword] = derivedUid(value, options.salt);
    } else if (Array.isArray(value) && value.length > 0 && typeof value[0] === 'object' && value[0] !== null) {
      for (const item of value) if (!('Alphabetic' in item)) walk(item as NaturalDataset, options);
    }
  }
}

/** De-identifies `ds` in place and records how (Patient Identity Removed, method codes). */
export function deidentify(ds: NaturalDataset, options: DeidentifyOptions): NaturalDataset {
  walk(ds, options);
  ds.PatientIdentityRemoved = 'YES';
  ds.DeidentificationMethod = `NextMask: PS3.15 basic profile${options.retainUids ? ', retain UIDs' : ''}`;
  ds.DeidentificationMethodCodeSequence = [
    { CodeValue: '113100', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Basic Application Confidentiality Profile' },
    ...(options.retainUids
      ? [{ CodeValue: '113110', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Retain UIDs Option' }]
      : []),
  ];
  return ds;
}

// QIDO-RS answers in the DICOM JSON model (PS3.18 F.2): attributes by tag, values in arrays.
// These read the few attributes the study and series lists show.
import type { PacsSeries, PacsStudy } from '../../shared/pacs-types';

type Element = { vr?: string; Value?: unknown[] };
export type DicomJson = Record<string, Element | undefined>;

export const TAG = {
  SOPInstanceUID: '00080018',
  StudyDate: '00080020',
  AccessionNumber: '00080050',
  Modality: '00080060',
  ModalitiesInStudy: '00080061',
  StudyDescription: '00081030',
  SeriesDescription: '0008103E',
  FailureReason: '00081197',
  FailedSOPSequence: '00081198',
  ReferencedSOPSequence: '00081199',
  ReferencedSOPInstanceUID: '00081155',
  PatientName: '00100010',
  PatientID: '00100020',
  StudyInstanceUID: '0020000D',
  SeriesInstanceUID: '0020000E',
  SeriesNumber: '00200011',
  InstanceNumber: '00200013',
  NumberOfStudyRelatedSeries: '00201206',
  NumberOfStudyRelatedInstances: '00201208',
  NumberOfSeriesRelatedInstances: '00201209',
} as const;

export function values(ds: DicomJson, tag: string): unknown[] {
  return ds[tag]?.Value ?? [];
}

export function text(ds: DicomJson, tag: string): string {
  const v = values(ds, tag)[0];
  if (v && typeof v === 'object' && 'Alphabetic' in v) return String((v as { Alphabetic: unknown }).Alphabetic ?? '');
  return v === undefined || v === null ? '' : String(v);
}

export function count(ds: DicomJson, tag: string): number | null {
  const n = Number(values(ds, tag)[0]);
  return values(ds, tag).length && Number.isFinite(n) ? n : null;
}

export function sequence(ds: DicomJson, tag: string): DicomJson[] {
  return values(ds, tag) as DicomJson[];
}

export function toStudy(ds: DicomJson): PacsStudy {
  return {
    studyInstanceUid: text(ds, TAG.StudyInstanceUID),
    patientName: text(ds, TAG.PatientName),
    patientId: text(ds, TAG.PatientID),
    studyDate: text(ds, TAG.StudyDate),
    accession: text(ds, TAG.AccessionNumber),
    description: text(ds, TAG.StudyDescription),
    modalities: values(ds, TAG.ModalitiesInStudy).map(String),
    seriesCount: count(ds, TAG.NumberOfStudyRelatedSeries),
    instanceCount: count(ds, TAG.NumberOfStudyRelatedInstances),
  };
}

export function toSeries(ds: DicomJson): PacsSeries {
  return {
    studyInstanceUid: text(ds, TAG.StudyInstanceUID),
    seriesInstanceUid: text(ds, TAG.SeriesInstanceUID),
    modality: text(ds, TAG.Modality),
    seriesNumber: count(ds, TAG.SeriesNumber),
    description: text(ds, TAG.SeriesDescription),
    instanceCount: count(ds, TAG.NumberOfSeriesRelatedInstances),
  };
}

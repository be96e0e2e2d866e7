// A study search as QIDO-RS query parameters (PS3.18 8.3.4), and the sort of the page it returns:
// QIDO-RS pages with limit/offset but has no sort parameter, so a page is sorted once it arrives.
import type { PacsStudy, StudyQuery, StudySortKey } from '../../shared/pacs-types';
import { TAG } from './dicom-json';

export const DEFAULT_PAGE = 50;

/** Free text matches anywhere from its start (DOE → DOE*); a value with its own wildcard is kept as typed. */
function prefix(value: string): string {
  return /[*?]/.test(value) ? value : `${value}*`;
}

export function studyQueryParams(query: StudyQuery): {
  params: Record<string, string>;
  offset: number;
  limit: number;
} {
  const offset = query.offset ?? 0;
  const limit = query.limit ?? DEFAULT_PAGE;
  const params: Record<string, string> = {
    limit: String(limit),
    offset: String(offset),
    includefield: [
      TAG.StudyDescription,
      TAG.ModalitiesInStudy,
      TAG.NumberOfStudyRelatedSeries,
      TAG.NumberOfStudyRelatedInstances,
    ].join(','),
  };
  const trimmed = (v: string | undefined) => v?.trim() || undefined;
  const name = trimmed(query.patientName);
  if (name) params.PatientName = prefix(name);
  const id = trimmed(query.patientId);
  if (id) params.PatientID = id;
  const accession = trimmed(query.accession);
  if (accession) params.AccessionNumber = accession;
  const description = trimmed(query.description);
  if (description) params.StudyDescription = prefix(description);
  if (query.modality) params.ModalitiesInStudy = query.modality;
  if (query.dateFrom || query.dateTo) params.StudyDate = `${query.dateFrom ?? ''}-${query.dateTo ?? ''}`;
  return { params, offset, limit };
}

const SORT_FIELDS: Record<StudySortKey, (s: PacsStudy) => string> = {
  studyDate: (s) => s.studyDate,
  patientName: (s) => s.patientName,
  patientId: (s) => s.patientId,
  accession: (s) => s.accession,
  description: (s) => s.description,
};

/** Newest first unless asked otherwise. */
export function sortStudies(studies: PacsStudy[], query: Pick<StudyQuery, 'sortBy' | 'descending'>): PacsStudy[] {
  const field = SORT_FIELDS[query.sortBy ?? 'studyDate'];
  const descending = query.descending ?? query.sortBy === undefined;
  const sign = descending ? -1 : 1;
  return [...studies].sort((a, b) => sign * field(a).localeCompare(field(b), undefined, { numeric: true }));
}

// The flat series list from main, grouped Patient → Study → Series for the browser.
import type { SeriesSummary } from '../../../shared/viewer-types';

export interface StudyNode {
  key: string;
  label: string;
  series: SeriesSummary[];
}

export interface PatientNode {
  key: string;
  label: string;
  studies: StudyNode[];
}

export function seriesTree(list: SeriesSummary[]): PatientNode[] {
  const patients = new Map<string, PatientNode>();
  for (const series of list) {
    const isRaster = series.kind === 'raster';
    const patientKey = isRaster ? '(radiographs)' : `${series.patientId}|${series.patientName}`;
    let patient = patients.get(patientKey);
    if (!patient) {
      const label = isRaster
        ? 'Radiographs (PNG/JPEG)'
        : [series.patientName || 'Anonymous', series.patientId && `(${series.patientId})`].filter(Boolean).join(' ');
      patient = { key: patientKey, label, studies: [] };
      patients.set(patientKey, patient);
    }
    const studyKey = isRaster ? 'files' : series.studyInstanceUid;
    let study = patient.studies.find((s) => s.key === studyKey);
    if (!study) {
      const label = isRaster
        ? 'Files'
        : [series.studyDate, series.studyDescription].filter(Boolean).join(' ') || 'Study';
      study = { key: studyKey, label, series: [] };
      patient.studies.push(study);
    }
    study.series.push(series);
  }
  return [...patients.values()];
}

export function seriesLabel(series: SeriesSummary): string {
  const name = series.seriesDescription || (series.kind === 'image' ? 'Series' : series.kind);
  const number = series.seriesNumber !== undefined ? `#${series.seriesNumber} ` : '';
  return `${number}${name}`;
}

// What the export form offers for the shown image: DICOM SEG needs DICOM source images (main refuses it
// for a PNG/JPEG film), so such a film defaults to a mask image format and shows SEG disabled, with why.
import type { ExportFormat } from '../../../shared/labelmap/channels';
import type { SeriesKind } from '../../../shared/viewer-types';

export interface ExportChoice {
  format: ExportFormat;
  label: string;
  /** Why this source cannot be exported so (the option is then disabled, the reason on hover). */
  refused?: string;
}

/** The export formats, in menu order, for a source of this kind (a DICOM series unless 'raster'). */
export function exportChoices(kind: SeriesKind | null): ExportChoice[] {
  const raster = kind === 'raster';
  return [
    {
      format: 'seg',
      label: 'DICOM SEG',
      ...(raster ? { refused: 'DICOM SEG needs a DICOM image; this is a PNG/JPEG file: export PNG or NIfTI' } : {}),
    },
    { format: 'nifti', label: 'NIfTI (.nii.gz)' },
    { format: 'png', label: 'PNG (this frame)' },
  ];
}

/** The format the form starts on: SEG for a DICOM source, else the mask image (PNG). */
export function defaultExportFormat(kind: SeriesKind | null): ExportFormat {
  return kind === 'raster' ? 'png' : 'seg';
}

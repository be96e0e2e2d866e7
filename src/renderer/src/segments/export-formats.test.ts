import { describe, expect, it } from 'vitest';
import { defaultExportFormat, exportChoices } from './export-formats';

describe('export formats', () => {
  it('starts a DICOM series on SEG and offers every format', () => {
    expect(defaultExportFormat('image')).toBe('seg');
    expect(exportChoices('image').filter((c) => c.refused)).toEqual([]);
  });

  it('starts a PNG/JPEG film on PNG and disables SEG with the reason', () => {
    expect(defaultExportFormat('raster')).toBe('png');
    const choices = exportChoices('raster');
    expect(choices.find((c) => c.format === 'seg')?.refused).toMatch(/DICOM SEG needs a DICOM image/);
    expect(choices.filter((c) => !c.refused).map((c) => c.format)).toEqual(['nifti', 'png']);
  });
});

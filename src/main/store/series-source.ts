// What the annotation service needs to know about an open series: its identity and size, and
// its files in frame order (the SEG and NIfTI exporters read their headers).
import type { SeriesSummary } from '../../shared/viewer-types';
import type { ImageLibrary } from '../dicom/library';

export interface SeriesSource {
  summary(seriesId: string): SeriesSummary;
  /** The file holding one frame. */
  framePath(seriesId: string, index: number): Promise<string>;
  /** One path per frame, in display order. */
  framePaths(seriesId: string): Promise<string[]>;
}

export function librarySeries(images: ImageLibrary): SeriesSource {
  const summary = (seriesId: string) => images.summary(seriesId);
  // The library's public API gives a frame's path with the frame (decoded once, then cached);
  // a path-only accessor on ImageLibrary would save that decode.
  const framePath = async (seriesId: string, index: number) => (await images.frame(seriesId, index)).info.path;
  return {
    summary,
    framePath,
    framePaths: async (seriesId) => {
      const paths: string[] = [];
      for (let i = 0; i < summary(seriesId).frameCount; i++) paths.push(await framePath(seriesId, i));
      return paths;
    },
  };
}

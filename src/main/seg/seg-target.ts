// A SEG object opened as a file: the image series it refers to (ReferencedSeriesSequence), looked
// for among the open series, then in the SEG's own folder, opened for it.
import { dirname } from 'node:path';
import type { SegTarget } from '../../shared/labelmap/channels';
import type { ImageLibrary } from '../dicom/library';
import { readInputFile } from '../files/read-input';
import { items, readDataset, str } from './dicom-file';

export async function findSegTarget(images: ImageLibrary, segSeriesId: string): Promise<SegTarget | null> {
  const summary = images.list().find((s) => s.id === segSeriesId);
  const path = images.instancePaths(segSeriesId)[0];
  if (summary?.kind !== 'SEG' || !path) return null;
  const ds = await readDataset(await readInputFile(path));
  const wanted = new Set(items(ds.ReferencedSeriesSequence).map((s) => str(s.SeriesInstanceUID)));
  const find = () => images.list().find((s) => s.frameCount > 0 && wanted.has(s.seriesInstanceUid));
  let target = find();
  if (!target) {
    await images.open([dirname(path)]);
    target = find();
  }
  return target ? { seriesId: target.id, path, series: images.list() } : null;
}

// The headers of the images a segmentation is drawn on: what a SEG must copy (patient and
// study) and reference (SOP instances, frame of reference, geometry). Pixel data is not decoded.
import { readFile } from 'node:fs/promises';
import { type NaturalDataset, numbers, readDataset, str } from './dicom-file';

export interface SourceImage {
  path: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid?: string;
  rows: number;
  columns: number;
  imagePosition?: number[];
  imageOrientation?: number[];
  pixelSpacing?: number[];
  sliceThickness?: number;
  instanceNumber?: number;
  /** The whole header, for the patient and study attributes a SEG copies. */
  header: NaturalDataset;
}

function required(ds: NaturalDataset, keyword: string, path: string): string {
  const value = str(ds[keyword]);
  if (!value) throw new Error(`${path}: missing ${keyword}`);
  return value;
}

export function sourceImageFrom(path: string, ds: NaturalDataset): SourceImage {
  const frames = Number(ds.NumberOfFrames ?? 1);
  if (frames > 1) throw new Error(`${path}: multi-frame source images (${frames} frames) are not supported yet`);
  const rows = Number(ds.Rows);
  const columns = Number(ds.Columns);
  if (!(rows > 0 && columns > 0)) throw new Error(`${path}: not an image (no Rows/Columns)`);
  const header = { ...ds };
  delete header.PixelData;
  const image: SourceImage = {
    path,
    sopClassUid: required(ds, 'SOPClassUID', path),
    sopInstanceUid: required(ds, 'SOPInstanceUID', path),
    studyInstanceUid: required(ds, 'StudyInstanceUID', path),
    seriesInstanceUid: required(ds, 'SeriesInstanceUID', path),
    rows,
    columns,
    header,
  };
  const frameOfReferenceUid = str(ds.FrameOfReferenceUID);
  if (frameOfReferenceUid) image.frameOfReferenceUid = frameOfReferenceUid;
  const position = numbers(ds.ImagePositionPatient);
  if (position?.length === 3) image.imagePosition = position;
  const orientation = numbers(ds.ImageOrientationPatient);
  if (orientation?.length === 6) image.imageOrientation = orientation;
  const spacing = numbers(ds.PixelSpacing);
  if (spacing?.length === 2) image.pixelSpacing = spacing;
  const thickness = numbers(ds.SliceThickness)?.[0];
  if (thickness !== undefined) image.sliceThickness = thickness;
  const instance = numbers(ds.InstanceNumber)?.[0];
  if (instance !== undefined) image.instanceNumber = instance;
  return image;
}

/** Distance along the slice normal; slices sort by it (instance number when there is no geometry). */
export function sliceDistance(image: SourceImage): number {
  const o = image.imageOrientation;
  const p = image.imagePosition;
  if (!o || !p) return image.instanceNumber ?? 0;
  const [r0, r1, r2, c0, c1, c2] = o as [number, number, number, number, number, number];
  const normal = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
  return (
    (normal[0] as number) * (p[0] as number) +
    (normal[1] as number) * (p[1] as number) +
    (normal[2] as number) * (p[2] as number)
  );
}

/** Reads one series' files, checks they belong together, and orders them as frames. */
export async function readSourceImages(paths: readonly string[]): Promise<SourceImage[]> {
  if (paths.length === 0) throw new Error('no source images given');
  const images = await Promise.all(paths.map(async (p) => sourceImageFrom(p, readDataset(await readFile(p)))));
  const [firstImage] = images as [SourceImage];
  for (const image of images) {
    if (image.seriesInstanceUid !== firstImage.seriesInstanceUid) {
      throw new Error(`${image.path} is from another series than ${firstImage.path}`);
    }
    if (image.rows !== firstImage.rows || image.columns !== firstImage.columns) {
      throw new Error(
        `${image.path} is ${image.columns}x${image.rows}, ${firstImage.path} is ${firstImage.columns}x${firstImage.rows}`,
      );
    }
  }
  return images.sort((a, b) => sliceDistance(a) - sliceDistance(b));
}

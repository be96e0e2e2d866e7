// The headers of the images a segmentation is drawn on: what a SEG must copy (patient and
// study) and reference (SOP instances, frame of reference, geometry). Files are parsed by the
// viewer's parser (with or without preamble, deflated…); pixel data is not decoded.
import type { DataSet } from 'dicom-parser';
import { parseDataSet } from '../dicom/parse';
import { readInputFile } from '../files/read-input';
import type { NaturalDataset } from './dicom-file';

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
  /** The patient, study and orientation attributes a SEG copies, by keyword (dcmjs form). */
  header: NaturalDataset;
}

// Patient, General Study and a few General Image/Frame of Reference attributes: keyword → tag.
const COPIED: Record<string, string> = {
  SpecificCharacterSet: 'x00080005',
  PatientName: 'x00100010',
  PatientID: 'x00100020',
  PatientBirthDate: 'x00100030',
  PatientSex: 'x00100040',
  PatientAge: 'x00101010',
  StudyInstanceUID: 'x0020000d',
  StudyDate: 'x00080020',
  StudyTime: 'x00080030',
  ReferringPhysicianName: 'x00080090',
  StudyID: 'x00200010',
  AccessionNumber: 'x00080050',
  StudyDescription: 'x00081030',
  PositionReferenceIndicator: 'x00201040',
  PatientOrientation: 'x00200020',
};
const PERSON_NAMES = new Set(['PatientName', 'ReferringPhysicianName']);
const MULTI_VALUED = new Set(['SpecificCharacterSet', 'PatientOrientation']);

/** Text of an element, decoded as UTF-8 when the file says so (dicom-parser reads bytes as Latin-1). */
function text(ds: DataSet, tag: string, utf8: boolean): string | undefined {
  const element = ds.elements[tag];
  if (!element) return undefined;
  if (!utf8) return (ds.string(tag) ?? '').trim();
  const bytes = ds.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
  return new TextDecoder('utf-8').decode(bytes).replace(/[\0 ]+$/, '');
}

function numbers(ds: DataSet, tag: string): number[] | undefined {
  const value = ds.string(tag)?.trim();
  if (!value) return undefined;
  const list = value.split('\\').map(Number);
  return list.every(Number.isFinite) ? list : undefined;
}

function header(ds: DataSet): NaturalDataset {
  const utf8 = (ds.string('x00080005') ?? '').includes('ISO_IR 192');
  const out: NaturalDataset = {};
  for (const [keyword, tag] of Object.entries(COPIED)) {
    const value = text(ds, tag, utf8);
    if (value === undefined) continue;
    // An empty character set means the default repertoire: leave it out rather than copy an empty type 1C value.
    if (keyword === 'SpecificCharacterSet' && !value) continue;
    if (PERSON_NAMES.has(keyword)) out[keyword] = value ? [{ Alphabetic: value }] : [];
    else if (MULTI_VALUED.has(keyword) && value.includes('\\')) out[keyword] = value.split('\\');
    else out[keyword] = value;
  }
  return out;
}

export function sourceImageFrom(path: string, ds: DataSet): SourceImage {
  const required = (tag: string, name: string) => {
    const value = ds.string(tag)?.trim();
    if (!value) throw new Error(`${path}: missing ${name}`);
    return value;
  };
  const frames = Number(ds.string('x00280008') ?? 1);
  if (frames > 1) throw new Error(`${path}: multi-frame source images (${frames} frames) are not supported yet`);
  const rows = ds.elements.x00280010 ? (ds.uint16('x00280010') ?? 0) : 0;
  const columns = ds.elements.x00280011 ? (ds.uint16('x00280011') ?? 0) : 0;
  if (!(rows > 0 && columns > 0)) throw new Error(`${path}: not an image (no Rows/Columns)`);
  const image: SourceImage = {
    path,
    sopClassUid: required('x00080016', 'SOPClassUID'),
    sopInstanceUid: required('x00080018', 'SOPInstanceUID'),
    studyInstanceUid: required('x0020000d', 'StudyInstanceUID'),
    seriesInstanceUid: required('x0020000e', 'SeriesInstanceUID'),
    rows,
    columns,
    header: header(ds),
  };
  const frameOfReferenceUid = ds.string('x00200052')?.trim();
  if (frameOfReferenceUid) image.frameOfReferenceUid = frameOfReferenceUid;
  const position = numbers(ds, 'x00200032');
  if (position?.length === 3) image.imagePosition = position;
  const orientation = numbers(ds, 'x00200037');
  if (orientation?.length === 6) image.imageOrientation = orientation;
  const spacing = numbers(ds, 'x00280030');
  if (spacing?.length === 2) image.pixelSpacing = spacing;
  const thickness = numbers(ds, 'x00180050')?.[0];
  if (thickness !== undefined) image.sliceThickness = thickness;
  const instance = numbers(ds, 'x00200013')?.[0];
  if (instance !== undefined) image.instanceNumber = instance;
  return image;
}

/** Distance along the slice normal; slices sort by it (instance number when there is no geometry). */
export function sliceDistance(
  image: Pick<SourceImage, 'imageOrientation' | 'imagePosition' | 'instanceNumber'>,
): number {
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
  const images = await Promise.all(
    paths.map(async (p) => {
      try {
        return sourceImageFrom(p, await parseDataSet(await readInputFile(p)));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        throw new Error(message.startsWith(p) ? message : `${p}: ${message}`);
      }
    }),
  );
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

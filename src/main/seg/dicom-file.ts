// DICOM Part 10 bytes ↔ dcmjs's keyword datasets: the one place the SEG code touches dcmjs's
// dictionary API.
import dcmjs, { type NaturalDataset } from 'dcmjs';
import { undeflated } from '../dicom/parse';

const { DicomMessage, DicomDict, DicomMetaDictionary } = dcmjs.data;

// dcmjs reports every private tag of unknown VR in a CT header as an error; we read only
// standard attributes, so that noise stays out of the app's log.
dcmjs.log.getLogger('validation.dcmjs').setLevel('silent');

export type { NaturalDataset };

export const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const IMPLEMENTATION_CLASS_UID = '2.25.156452919438196741279512553637451358917';

/** A DICOM file's data set by keyword. A deflated one is inflated first, off the main thread and capped
 * (dcmjs would inflate it on the main thread, however large). */
export async function readDataset(file: Uint8Array): Promise<NaturalDataset> {
  const bytes = await undeflated(file);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let dict: ReturnType<typeof DicomMessage.readFile>;
  try {
    dict = DicomMessage.readFile(buffer);
  } catch (err) {
    throw new Error(`not a readable DICOM file: ${err instanceof Error ? err.message : String(err)}`);
  }
  return DicomMetaDictionary.naturalizeDataset(dict.dict);
}

export function writeDataset(dataset: NaturalDataset): Uint8Array {
  const meta = {
    FileMetaInformationVersion: new Uint8Array([0, 1]).buffer,
    MediaStorageSOPClassUID: dataset.SOPClassUID,
    MediaStorageSOPInstanceUID: dataset.SOPInstanceUID,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'NEXTMASK',
  };
  const file = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  file.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(file.write());
}

/** A value that dcmjs may hand back as a scalar or a one-element array. */
export function first<T>(value: T | T[] | undefined): T | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export function str(value: unknown): string | undefined {
  const v = first(value as string | string[] | undefined);
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

export function numbers(value: unknown): number[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const list = (Array.isArray(value) ? value : [value]).map(Number);
  return list.every(Number.isFinite) ? list : undefined;
}

export function items(value: unknown): NaturalDataset[] {
  return Array.isArray(value) ? (value as NaturalDataset[]) : [];
}

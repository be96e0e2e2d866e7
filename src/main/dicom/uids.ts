// The UIDs the viewer understands: which transfer syntaxes it can decode (and how), and
// which SOP classes are not images at all.

export type PixelEncoding = 'native' | 'rle' | 'jpeg-baseline' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg-2000';

export interface TransferSyntax {
  uid: string;
  name: string;
  encoding: PixelEncoding;
  littleEndian: boolean;
}

const SYNTAXES: TransferSyntax[] = [
  { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', encoding: 'native', littleEndian: true },
  { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', encoding: 'native', littleEndian: true },
  { uid: '1.2.840.10008.1.2.1.99', name: 'Deflated Explicit VR Little Endian', encoding: 'native', littleEndian: true },
  { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian', encoding: 'native', littleEndian: false },
  { uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', encoding: 'rle', littleEndian: true },
  { uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline (Process 1)', encoding: 'jpeg-baseline', littleEndian: true },
  {
    uid: '1.2.840.10008.1.2.4.51',
    name: 'JPEG Extended (Process 2 & 4)',
    encoding: 'jpeg-baseline',
    littleEndian: true,
  },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless (Process 14)', encoding: 'jpeg-lossless', littleEndian: true },
  { uid: '1.2.840.10008.1.2.4.70', name: 'JPEG Lossless SV1', encoding: 'jpeg-lossless', littleEndian: true },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless', encoding: 'jpeg-ls', littleEndian: true },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Near-Lossless', encoding: 'jpeg-ls', littleEndian: true },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 Lossless', encoding: 'jpeg-2000', littleEndian: true },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000', encoding: 'jpeg-2000', littleEndian: true },
];

const BY_UID = new Map(SYNTAXES.map((ts) => [ts.uid, ts]));

export const IMPLICIT_LITTLE = '1.2.840.10008.1.2';
export const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
export const DEFLATED = '1.2.840.10008.1.2.1.99';

export function transferSyntax(uid: string): TransferSyntax | undefined {
  return BY_UID.get(uid);
}

/** What a DICOM object is, as far as the viewer cares. */
export type ObjectKind = 'image' | 'SEG' | 'RTSTRUCT' | 'SR' | 'KOS' | 'PR' | 'other';

const NON_IMAGE: [prefix: string, kind: ObjectKind][] = [
  ['1.2.840.10008.5.1.4.1.1.66.4', 'SEG'],
  ['1.2.840.10008.5.1.4.1.1.481.3', 'RTSTRUCT'],
  ['1.2.840.10008.5.1.4.1.1.88.', 'SR'], // all Structured Report classes; KOS is among them
  ['1.2.840.10008.5.1.4.1.1.11.', 'PR'], // presentation states
];
const KOS = '1.2.840.10008.5.1.4.1.1.88.59';

/**
 * Classifies by SOP class; an unknown class with pixel data is treated as an image, one
 * without as 'other', so new image IODs still display.
 */
export function objectKind(sopClassUid: string, hasPixelData: boolean): ObjectKind {
  if (sopClassUid === KOS) return 'KOS';
  for (const [prefix, kind] of NON_IMAGE) {
    if (sopClassUid === prefix || (prefix.endsWith('.') && sopClassUid.startsWith(prefix))) return kind;
  }
  return hasPixelData ? 'image' : 'other';
}

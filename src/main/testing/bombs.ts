// Decompression bombs for tests and the fuzz suite: small inputs that inflate to gigabytes of
// zeros. Built from one flushed deflate block repeated, so making one costs milliseconds.
import { deflateRawSync, constants as zlib } from 'node:zlib';
import type { DataSet } from 'dicom-parser';
import { requireCjs } from '../dicom/cjs';

const dicomParser = requireCjs('dicom-parser') as typeof import('dicom-parser');
const CHUNK = 16 * 2 ** 20;

/** A raw deflate stream of `bytes` (rounded up to 16 MiB) zeros, about 1000 times smaller. */
export function deflateBomb(bytes: number): Buffer {
  // A full flush byte-aligns the stream and resets the window, so the block can simply be repeated.
  const block = deflateRawSync(Buffer.alloc(CHUNK), { finishFlush: zlib.Z_FULL_FLUSH });
  const end = deflateRawSync(Buffer.alloc(0));
  return Buffer.concat([...Array.from({ length: Math.ceil(bytes / CHUNK) }, () => block), end]);
}

/** A gzip member (.nii.gz) around a deflate bomb; its trailer is never reached by a capped reader. */
export function gzipBomb(bytes: number): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  return Buffer.concat([header, deflateBomb(bytes), Buffer.alloc(8)]);
}

/** A deflated-transfer-syntax DICOM file: `template`'s meta header, then a bomb as its data set. */
export function deflatedDicomBomb(template: Uint8Array, bytes: number): Buffer {
  const meta = dicomParser.readPart10Header(template) as DataSet & { position: number };
  return Buffer.concat([template.subarray(0, meta.position), deflateBomb(bytes)]);
}

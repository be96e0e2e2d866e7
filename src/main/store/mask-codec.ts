// How a mask frame is stored: one bit per pixel (the same packing DICOM SEG uses), then
// deflate. A 512×512 frame of a typical organ mask shrinks from 256 KiB to a few hundred bytes.
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { packBits, unpackBits } from '../../shared/labelmap/bits';
import { UserFacingError } from '../errors';

export function compressMask(data: Uint8Array): Buffer {
  return deflateRawSync(packBits(data), { level: 6 });
}

export function decompressMask(blob: Uint8Array, length: number): Uint8Array {
  let bits: Buffer;
  try {
    // A frame's bits and no more: a damaged or crafted blob cannot inflate past the frame's size.
    bits = inflateRawSync(blob, { maxOutputLength: Math.max(1, Math.ceil(length / 8)) });
  } catch (err) {
    const why = err instanceof RangeError ? 'it holds more than one frame' : (err as Error).message;
    throw new UserFacingError(`a mask stored in the workspace is damaged (${why}); the workspace file may be corrupt`);
  }
  return unpackBits(bits, length);
}

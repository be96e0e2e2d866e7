// How a mask frame is stored: one bit per pixel (the same packing DICOM SEG uses), then
// deflate. A 512×512 frame of a typical organ mask shrinks from 256 KiB to a few hundred bytes.
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/** 0/1 bytes → bits, least significant bit first (DICOM's order for BitsAllocated = 1). */
export function packBits(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 8));
  for (let i = 0; i < data.length; i++) if (data[i]) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  return out;
}

export function unpackBits(bits: Uint8Array, length: number, offsetBits = 0): Uint8Array {
  if (bits.length * 8 < offsetBits + length)
    throw new Error(`bit data too short: ${bits.length * 8} bits for ${length} pixels`);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const b = offsetBits + i;
    out[i] = ((bits[b >> 3] as number) >> (b & 7)) & 1;
  }
  return out;
}

export function compressMask(data: Uint8Array): Buffer {
  return deflateRawSync(packBits(data), { level: 6 });
}

export function decompressMask(blob: Uint8Array, length: number): Uint8Array {
  return unpackBits(inflateRawSync(blob), length);
}

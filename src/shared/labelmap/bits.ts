// One bit per pixel, least significant bit first: DICOM SEG's BINARY packing, also used to
// keep masks small in the store and on the IPC wire (8× smaller than a byte per pixel).

export function packBits(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(data.length / 8));
  for (let i = 0; i < data.length; i++) if (data[i]) out[i >> 3] = (out[i >> 3] as number) | (1 << (i & 7));
  return out;
}

export function unpackBits(bits: Uint8Array, length: number, offsetBits = 0): Uint8Array {
  if (bits.length * 8 < offsetBits + length) {
    throw new Error(`bit data too short: ${bits.length * 8} bits for ${length} pixels`);
  }
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const b = offsetBits + i;
    out[i] = ((bits[b >> 3] as number) >> (b & 7)) & 1;
  }
  return out;
}

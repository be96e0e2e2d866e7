// DICOM RLE Lossless (PS3.5 Annex G): a 64-byte header of segment offsets, one PackBits
// segment per byte plane, most significant byte first, one set per sample.

/** Returns the frame as little-endian, interleaved (planar configuration 0) bytes. */
export function decodeRle(frame: Uint8Array, pixels: number, bytesPerSample: number, samples: number): Uint8Array {
  if (frame.length < 64) throw new Error('RLE frame shorter than its header');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segments = view.getUint32(0, true);
  if (segments !== bytesPerSample * samples) {
    throw new Error(`RLE frame has ${segments} segments, ${bytesPerSample * samples} expected`);
  }
  const out = new Uint8Array(pixels * bytesPerSample * samples);
  const stride = bytesPerSample * samples;
  for (let s = 0; s < segments; s++) {
    const start = view.getUint32(4 + s * 4, true);
    const end = s + 1 < segments ? view.getUint32(8 + s * 4, true) : frame.length;
    const sample = Math.floor(s / bytesPerSample);
    // Segment 0 of a sample is its most significant byte; little-endian puts it last.
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    let o = sample * bytesPerSample + byteInSample;
    let written = 0;
    let i = start;
    while (i < end && written < pixels) {
      const n = ((frame[i++] as number) << 24) >> 24; // signed header byte
      if (n >= 0) {
        for (let k = 0; k <= n && written < pixels; k++, written++, o += stride) out[o] = frame[i++] as number;
      } else if (n !== -128) {
        const value = frame[i++] as number;
        for (let k = 0; k < 1 - n && written < pixels; k++, written++, o += stride) out[o] = value;
      }
    }
    if (written < pixels) throw new Error(`RLE segment ${s} ends after ${written} of ${pixels} pixels`);
  }
  return out;
}

// The one decoder: a parsed DICOM instance and a frame number → a DecodedFrame. The viewer
// and the model's input pipeline both call this (the model then takes modalityPixels()).
import type { DataSet } from 'dicom-parser';
import { type DecodedFrame, extremes, fullRangeWindow, type StoredArray } from '../imaging/frame';
import { requireCjs } from './cjs';
import { decompress, type Samples } from './codecs';
import { decodeProblem, type ParsedInstance, type PixelModule } from './parse';
import { decodeRle } from './rle';
import { transferSyntax } from './uids';

const dicomParser = requireCjs('dicom-parser') as typeof import('dicom-parser');

function nativeFrameBytes(ds: DataSet, pixel: PixelModule, frame: number, littleEndian: boolean): Uint8Array {
  const element = ds.elements.x7fe00010!;
  const bytesPerSample = pixel.bitsAllocated / 8;
  const size = pixel.rows * pixel.columns * pixel.samplesPerPixel * bytesPerSample;
  const start = element.dataOffset + frame * size;
  // slice: aligned storage we may swap in place.
  const bytes = ds.byteArray.slice(start, start + size);
  if (!littleEndian && bytesPerSample > 1) {
    for (let i = 0; i < bytes.length; i += bytesPerSample) bytes.subarray(i, i + bytesPerSample).reverse();
  }
  return bytes;
}

function encapsulatedFrameBytes(ds: DataSet, pixel: PixelModule, frame: number): Uint8Array {
  const element = ds.elements.x7fe00010!;
  const fragments = element.fragments ?? [];
  // One fragment per frame is the common case; otherwise the offset table decides.
  if (pixel.frames === fragments.length) {
    return dicomParser.readEncapsulatedPixelDataFromFragments(ds, element, frame, 1) as Uint8Array;
  }
  if (pixel.frames === 1) {
    return dicomParser.readEncapsulatedPixelDataFromFragments(ds, element, 0, fragments.length) as Uint8Array;
  }
  const table = element.basicOffsetTable?.length
    ? element.basicOffsetTable
    : dicomParser.createJPEGBasicOffsetTable(ds, element);
  return dicomParser.readEncapsulatedImageFrame(ds, element, frame, table) as Uint8Array;
}

/** Raw little-endian bytes → one typed sample per value, at the allocated width. */
function samplesOf(bytes: Uint8Array, bitsAllocated: number): Samples | Uint32Array {
  if (bitsAllocated === 8) return bytes;
  const copy = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  if (bitsAllocated === 16) return new Uint16Array(copy.buffer, copy.byteOffset, copy.byteLength / 2);
  if (bitsAllocated === 32) return new Uint32Array(copy.buffer, copy.byteOffset, copy.byteLength / 4);
  throw new Error(`BitsAllocated ${bitsAllocated} is not supported`);
}

/**
 * Applies BitsStored/HighBit (shift, mask) and PixelRepresentation (sign extension). Codec
 * output is already right-aligned, so its shift is 0.
 */
function storedValues(samples: ArrayLike<number>, pixel: PixelModule, shift: number): StoredArray {
  const { bitsStored, pixelRepresentation, bitsAllocated } = pixel;
  const n = samples.length;
  const signed = pixelRepresentation === 1;
  const out: StoredArray =
    bitsAllocated <= 8
      ? signed
        ? new Int8Array(n)
        : new Uint8Array(n)
      : bitsAllocated <= 16
        ? signed
          ? new Int16Array(n)
          : new Uint16Array(n)
        : signed
          ? new Int32Array(n)
          : new Uint32Array(n);
  const mask = bitsStored >= 32 ? 0xffffffff : 2 ** bitsStored - 1;
  const signBit = 2 ** (bitsStored - 1);
  const range = 2 ** bitsStored;
  for (let i = 0; i < n; i++) {
    // >>> keeps 32-bit values unsigned; the mask drops overlay bits above HighBit.
    let v = ((samples[i] as number) >>> shift) & mask;
    if (v < 0) v += 2 ** 32;
    if (signed && v >= signBit) v -= range;
    out[i] = v;
  }
  return out;
}

/** Colour samples → 8-bit RGB interleaved, whatever the planar layout or YBR encoding. */
function rgbValues(samples: ArrayLike<number>, pixel: PixelModule, planar: boolean, ybr: boolean): Uint8Array {
  const n = pixel.rows * pixel.columns;
  const out = new Uint8Array(n * 3);
  const down = Math.max(0, pixel.bitsStored - 8);
  for (let i = 0; i < n; i++) {
    const at = (c: number) => ((samples[planar ? c * n + i : i * 3 + c] as number) >> down) & 0xff;
    let r = at(0);
    let g = at(1);
    let b = at(2);
    if (ybr) {
      const [y, cb, cr] = [r, g, b];
      r = y + 1.402 * (cr - 128);
      g = y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128);
      b = y + 1.772 * (cb - 128);
    }
    out[i * 3] = Math.max(0, Math.min(255, Math.round(r)));
    out[i * 3 + 1] = Math.max(0, Math.min(255, Math.round(g)));
    out[i * 3 + 2] = Math.max(0, Math.min(255, Math.round(b)));
  }
  return out;
}

export async function decodeFrame(instance: ParsedInstance, frame: number): Promise<DecodedFrame> {
  const { dataSet: ds, header } = instance;
  const problem = decodeProblem(ds, header);
  if (header.kind !== 'image' || !header.pixel) throw new Error(`a ${header.kind} object has no image to decode`);
  if (problem) throw new Error(problem);
  const pixel = header.pixel;
  if (!Number.isInteger(frame) || frame < 0 || frame >= pixel.frames) {
    throw new Error(`frame ${frame} out of range (${pixel.frames} frames)`);
  }
  const syntax = transferSyntax(header.transferSyntaxUid)!;
  const color = pixel.samplesPerPixel === 3;
  let samples: ArrayLike<number>;
  let shift = 0;
  let planar = color && pixel.planarConfiguration === 1;
  let ybr = color && pixel.photometric.startsWith('YBR_FULL');
  if (syntax.encoding === 'native' || syntax.encoding === 'rle') {
    const bytes =
      syntax.encoding === 'native'
        ? nativeFrameBytes(ds, pixel, frame, syntax.littleEndian)
        : decodeRle(
            encapsulatedFrameBytes(ds, pixel, frame),
            pixel.rows * pixel.columns,
            pixel.bitsAllocated / 8,
            pixel.samplesPerPixel,
          );
    if (syntax.encoding === 'rle') planar = false; // decodeRle interleaves
    samples = samplesOf(bytes, pixel.bitsAllocated);
    shift = pixel.highBit + 1 - pixel.bitsStored;
  } else {
    samples = await decompress(syntax.encoding, encapsulatedFrameBytes(ds, pixel, frame), pixel);
    // The codecs return interleaved RGB; JPEG baseline and JPEG 2000 convert YBR themselves.
    planar = false;
    if (syntax.encoding !== 'jpeg-ls') ybr = false;
  }
  const expected = pixel.rows * pixel.columns * pixel.samplesPerPixel;
  if (samples.length < expected)
    throw new Error(`frame ${frame} decoded to ${samples.length} samples, ${expected} expected`);
  if (color) {
    const stored = rgbValues(samples, pixel, planar, ybr);
    return {
      rows: pixel.rows,
      columns: pixel.columns,
      color: true,
      stored,
      rescale: { slope: 1, intercept: 0 },
      minStored: 0,
      maxStored: 255,
      window: { center: 128, width: 256 },
      windows: [],
      voiLut: undefined,
      invert: false,
      photometric: pixel.photometric,
    };
  }
  const stored = storedValues(
    samples.length > expected ? Array.prototype.slice.call(samples, 0, expected) : samples,
    pixel,
    shift,
  );
  const { min, max } = extremes(stored);
  const { slope, intercept } = header.rescale;
  return {
    rows: pixel.rows,
    columns: pixel.columns,
    color: false,
    stored,
    rescale: header.rescale,
    minStored: min,
    maxStored: max,
    window: header.windows[0] ?? fullRangeWindow(min, max, slope, intercept),
    windows: header.windows,
    voiLut: header.voiLut,
    invert: pixel.photometric === 'MONOCHROME1',
    photometric: pixel.photometric,
  };
}

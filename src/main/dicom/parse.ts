// DICOM Part 10 bytes → a dicom-parser DataSet and the header fields the viewer needs.
// Files with or without the 128-byte preamble, and deflated ones, all come through here.
import type { DataSet, ParseDicomOptions } from 'dicom-parser';
import type { SeriesIdentity } from '../../shared/viewer-types';
import { formatBytes, type InputLimits, inputLimits } from '../files/limits';
import { inflateHead, inflateRawCapped } from '../files/read-input';
import { requireCjs } from './cjs';

import { DEFLATED, EXPLICIT_LITTLE, IMPLICIT_LITTLE, type ObjectKind, objectKind, transferSyntax } from './uids';

const dicomParser = requireCjs('dicom-parser') as typeof import('dicom-parser');

export type Photometric = 'MONOCHROME1' | 'MONOCHROME2' | 'RGB' | 'YBR_FULL' | 'YBR_FULL_422' | string;

export interface PixelModule {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  photometric: Photometric;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  /** 0 unsigned, 1 two's complement. */
  pixelRepresentation: 0 | 1;
  /** 0 interleaved (RGBRGB…), 1 planar (RR…GG…BB…). */
  planarConfiguration: 0 | 1;
  frames: number;
}

export interface VoiWindow {
  center: number;
  width: number;
}

/** A VOI LUT from (0028,3010): stored/modality value `first` maps to data[0]. */
export interface VoiLut {
  first: number;
  bits: number;
  data: Uint16Array;
}

export interface InstanceHeader extends SeriesIdentity {
  sopInstanceUid: string;
  sopClassUid: string;
  kind: ObjectKind;
  transferSyntaxUid: string;
  instanceNumber: number | undefined;
  imagePosition: number[] | undefined;
  imageOrientation: number[] | undefined;
  /** Present for images only. */
  pixel: PixelModule | undefined;
  rescale: { slope: number; intercept: number };
  /** All windows in the file; the first is the default. */
  windows: VoiWindow[];
  voiLut: VoiLut | undefined;
}

export interface ParsedInstance {
  dataSet: DataSet;
  header: InstanceHeader;
}

const DICM = [0x44, 0x49, 0x43, 0x4d];

function hasMagicAt(bytes: Uint8Array, offset: number): boolean {
  return bytes.length >= offset + 4 && DICM.every((b, i) => bytes[offset + i] === b);
}

/**
 * A raw data set without meta header starts with a group 0008 (or 0002) tag; bytes 4-5
 * are then either a two-letter VR (explicit) or the low half of a 4-byte length (implicit).
 */
function guessRawSyntax(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  const group = bytes[0]! | (bytes[1]! << 8);
  if (group !== 0x0008 && group !== 0x0002) return undefined;
  const isUpper = (b: number) => b >= 0x41 && b <= 0x5a;
  return isUpper(bytes[4]!) && isUpper(bytes[5]!) ? EXPLICIT_LITTLE : IMPLICIT_LITTLE;
}

/** True when the bytes look like DICOM (Part 10 with or without preamble, or a raw data set). */
export function looksLikeDicom(bytes: Uint8Array): boolean {
  return hasMagicAt(bytes, 128) || hasMagicAt(bytes, 0) || guessRawSyntax(bytes) !== undefined;
}

/** The meta header of a deflated Part 10 file (preamble, "DICM", meta); undefined for any other file. */
function deflatedMeta(bytes: Uint8Array): (DataSet & { position: number }) | undefined {
  if (!hasMagicAt(bytes, 128)) return undefined;
  let meta: DataSet;
  try {
    meta = dicomParser.readPart10Header(bytes);
  } catch (err) {
    throw new Error(`malformed DICOM: ${message(err)}`);
  }
  if ((meta.string('x00020010') ?? '').trim() !== DEFLATED) return undefined;
  return meta as DataSet & { position: number };
}

/**
 * A deflated file's data set, inflated before parsing: asynchronously (zlib's thread pool, not the
 * event loop) and capped, since a few MB of deflate can expand to gigabytes. Undefined when the
 * file is not deflated.
 */
async function inflated(bytes: Uint8Array): Promise<Uint8Array | undefined> {
  const meta = deflatedMeta(bytes);
  if (!meta) return undefined;
  const data = await inflateDeclared(bytes, meta);
  return Buffer.concat([bytes.subarray(0, meta.position), data]);
}

/** How much of a deflated data set is read first, to find what its Pixel Data declares. */
const DEFLATED_HEAD = 64 * 1024;
/** Bytes a deflated data set may hold past its Pixel Data's declared end (trailing elements, padding). */
const DEFLATED_TRAILER = 1024 * 1024;

/**
 * A deflated data set inflated (off the main thread) no further than it declares: its head first, and
 * when the head reaches a Pixel Data of defined length, the whole capped at that element's end (plus a
 * trailer); otherwise at the global cap. So a CT slice's header followed by gigabytes is refused at the
 * slice's size, at once, not after inflating hundreds of megabytes.
 */
async function inflateDeclared(bytes: Uint8Array, meta: DataSet & { position: number }): Promise<Buffer> {
  const what = 'deflated DICOM data set';
  const deflated = bytes.subarray(meta.position);
  const head = await inflateHead(deflated, DEFLATED_HEAD, what, 'raw');
  let cap = inputLimits().inflatedBytes;
  try {
    // Parsed as the whole file would be, over the head alone, up to Pixel Data's element header.
    const ds = dicomParser.parseDicom(bytes, {
      untilTag: 'x7fe00010',
      inflater: () => Buffer.concat([bytes.subarray(0, meta.position), head]),
    } as ParseDicomOptions);
    const pixels = ds.elements.x7fe00010;
    if (pixels && pixels.length !== 0xffffffff && !pixels.hadUndefinedLength)
      cap = Math.min(cap, pixels.dataOffset - meta.position + pixels.length + DEFLATED_TRAILER);
  } catch {
    // The head ends before Pixel Data (large sequences first): the global cap applies.
  }
  return inflateRawCapped(deflated, what, cap);
}

/**
 * A deflated Part 10 file as the same data set in explicit VR little endian, its meta header saying
 * so; inflated as the viewer inflates (off the main thread, capped). Any other file comes back as it
 * is. For readers that would otherwise inflate on the main thread without a cap (dcmjs).
 */
export async function undeflated(bytes: Uint8Array): Promise<Uint8Array> {
  const meta = deflatedMeta(bytes);
  if (!meta) return bytes;
  const syntax = meta.elements.x00020010!;
  const data = await inflateDeclared(bytes, meta);
  const value = Buffer.from(`${EXPLICIT_LITTLE}\0`, 'latin1'); // a UI value is NUL-padded to even length
  const length = Buffer.alloc(2);
  length.writeUInt16LE(value.length);
  const out = Buffer.concat([
    bytes.subarray(0, syntax.dataOffset - 2),
    length,
    value,
    bytes.subarray(syntax.dataOffset + syntax.length, meta.position),
    data,
  ]);
  const groupLength = meta.elements.x00020000;
  if (groupLength) {
    out.writeUInt32LE(meta.uint32('x00020000')! - (syntax.length - value.length), groupLength.dataOffset);
  }
  return out;
}

function message(err: unknown): string {
  if (typeof err === 'string') {
    const text = err.replace(/dicomParser[.:]\w+: /g, '');
    return /buffer overrun/.test(text) ? `file ends early, truncated? (${text})` : text;
  }
  if (err instanceof Error) return err.message;
  if (err && typeof err === 'object' && 'exception' in err) return message((err as { exception: unknown }).exception);
  return String(err);
}

/** Parses a whole DICOM file; throws an Error with a readable message on anything malformed. */
export async function parseDataSet(input: Uint8Array): Promise<DataSet> {
  let bytes = input;
  // "DICM" at 0: a Part 10 file whose preamble was stripped; give it one back.
  if (!hasMagicAt(bytes, 128) && hasMagicAt(bytes, 0)) {
    bytes = new Uint8Array(128 + input.length);
    bytes.set(input, 128);
  }
  const rawSyntax = hasMagicAt(bytes, 128) ? undefined : guessRawSyntax(bytes);
  if (!hasMagicAt(bytes, 128) && !rawSyntax) throw new Error('not a DICOM file (no DICM prefix, no data set)');
  const whole = rawSyntax ? undefined : await inflated(bytes);
  try {
    return dicomParser.parseDicom(bytes, {
      ...(rawSyntax ? { TransferSyntaxUID: rawSyntax } : {}),
      // Already inflated above; dicom-parser's own fallback would inflate synchronously and uncapped.
      inflater: () => {
        if (!whole) throw new Error('deflated data set after a meta header that did not say so');
        return whole;
      },
    } as ParseDicomOptions);
  } catch (err) {
    throw new Error(`malformed DICOM: ${message(err)}`);
  }
}

function str(ds: DataSet, tag: string): string {
  return (ds.string(tag) ?? '').trim();
}

/** A multi-valued decimal/integer string, split on backslashes; non-numbers become NaN. */
function values(ds: DataSet, tag: string): number[] {
  const text = str(ds, tag);
  return text ? text.split('\\').map((part) => Number.parseFloat(part)) : [];
}

function num(ds: DataSet, tag: string): number | undefined {
  const value = values(ds, tag)[0];
  return value === undefined || Number.isNaN(value) ? undefined : value;
}

function numbers(ds: DataSet, tag: string, count: number): number[] | undefined {
  const all = values(ds, tag);
  return all.length >= count && all.slice(0, count).every(Number.isFinite) ? all.slice(0, count) : undefined;
}

function pixelModule(ds: DataSet): PixelModule {
  const bitsAllocated = ds.uint16('x00280100') ?? 16;
  const bitsStored = ds.uint16('x00280101') ?? bitsAllocated;
  return {
    rows: ds.uint16('x00280010') ?? 0,
    columns: ds.uint16('x00280011') ?? 0,
    samplesPerPixel: ds.uint16('x00280002') ?? 1,
    photometric: str(ds, 'x00280004') || 'MONOCHROME2',
    bitsAllocated,
    bitsStored,
    highBit: ds.uint16('x00280102') ?? bitsStored - 1,
    pixelRepresentation: ds.uint16('x00280103') === 1 ? 1 : 0,
    planarConfiguration: ds.uint16('x00280006') === 1 ? 1 : 0,
    // 0 or absent: one frame; a negative or non-number count stays, for decodeProblem to refuse.
    frames: ds.elements.x00280008 ? ds.intString('x00280008') || 1 : 1,
  };
}

function windows(ds: DataSet): VoiWindow[] {
  const centers = values(ds, 'x00281050');
  const widths = values(ds, 'x00281051');
  const out: VoiWindow[] = [];
  centers.forEach((center, i) => {
    const width = widths[i];
    // A width below 1 is not a window (some scanners write 0/0 for "none").
    if (Number.isFinite(center) && width !== undefined && width >= 1) out.push({ center, width });
  });
  return out;
}

function voiLut(ds: DataSet, signed: boolean): VoiLut | undefined {
  const item = ds.elements.x00283010?.items?.[0]?.dataSet;
  const lutData = item?.elements.x00283006;
  if (!item || !lutData) return undefined;
  const entries = item.uint16('x00283002', 0) || 65536;
  const rawFirst = item.uint16('x00283002', 1) ?? 0;
  const first = signed && rawFirst > 32767 ? rawFirst - 65536 : rawFirst;
  const bits = item.uint16('x00283002', 2) ?? 16;
  const data = new Uint16Array(entries);
  const wide = lutData.length >= entries * 2;
  for (let i = 0; i < entries; i++) {
    data[i] = wide ? (item.uint16('x00283006', i) ?? 0) : (item.byteArray[lutData.dataOffset + i] ?? 0);
  }
  return { first, bits, data };
}

export function readHeader(ds: DataSet): InstanceHeader {
  const transferSyntaxUid = str(ds, 'x00020010') || IMPLICIT_LITTLE;
  const sopClassUid = str(ds, 'x00080016') || str(ds, 'x00020002');
  const hasPixelData = ds.elements.x7fe00010 !== undefined;
  const kind = objectKind(sopClassUid, hasPixelData || ds.elements.x00280010 !== undefined);
  const pixel = kind === 'image' ? pixelModule(ds) : undefined;
  return {
    sopInstanceUid: str(ds, 'x00080018') || str(ds, 'x00020003'),
    sopClassUid,
    kind,
    transferSyntaxUid,
    patientName: str(ds, 'x00100010').replace(/\^+/g, ' ').trim(),
    patientId: str(ds, 'x00100020'),
    studyInstanceUid: str(ds, 'x0020000d'),
    studyDescription: str(ds, 'x00081030'),
    studyDate: str(ds, 'x00080020'),
    seriesInstanceUid: str(ds, 'x0020000e'),
    seriesDescription: str(ds, 'x0008103e'),
    seriesNumber: ds.intString('x00200011'),
    modality: str(ds, 'x00080060'),
    bodyPart: str(ds, 'x00180015'),
    instanceNumber: ds.intString('x00200013'),
    imagePosition: numbers(ds, 'x00200032', 3),
    imageOrientation: numbers(ds, 'x00200037', 6),
    pixel,
    rescale: { slope: num(ds, 'x00281053') || 1, intercept: num(ds, 'x00281052') ?? 0 },
    windows: windows(ds),
    voiLut: voiLut(ds, pixel?.pixelRepresentation === 1),
  };
}

function pixelModuleProblem(pixel: PixelModule, native: boolean, limits: InputLimits): string | undefined {
  const { rows, columns, samplesPerPixel, bitsAllocated, bitsStored, highBit, frames } = pixel;
  if (rows === 0 || columns === 0) return 'image has no rows or columns';
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3) return `SamplesPerPixel ${samplesPerPixel} is not supported`;
  const widths = native ? [8, 16, 32] : [8, 16];
  if (!widths.includes(bitsAllocated)) return `BitsAllocated ${bitsAllocated} is not supported`;
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated) {
    return `BitsStored ${bitsStored} / HighBit ${highBit} do not fit BitsAllocated ${bitsAllocated}`;
  }
  if (!Number.isSafeInteger(frames) || frames < 1) return `NumberOfFrames is not a positive count`;
  if (frames > limits.frames) {
    return `NumberOfFrames ${frames} is above the ${limits.frames} frame limit (NEXTMASK_MAX_FRAMES)`;
  }
  return undefined;
}

/**
 * Why this image cannot be decoded, or undefined when it can; checked when a file is opened,
 * before anything is allocated for it. The sizes the header declares must fit the file's real
 * length (native pixels) or the decoded-size ceiling and the fragments present (compressed).
 */
export function decodeProblem(
  ds: DataSet,
  header: InstanceHeader,
  limits: InputLimits = inputLimits(),
): string | undefined {
  if (header.kind !== 'image' || !header.pixel) return undefined;
  const syntax = transferSyntax(header.transferSyntaxUid);
  if (!syntax) return `unsupported transfer syntax ${header.transferSyntaxUid}`;
  const element = ds.elements.x7fe00010;
  if (!element) return 'no pixel data';
  const pixel = header.pixel;
  const problem = pixelModuleProblem(pixel, syntax.encoding === 'native', limits);
  if (problem) return problem;
  const frameBytes = pixel.rows * pixel.columns * pixel.samplesPerPixel * (pixel.bitsAllocated / 8);
  const expected = frameBytes * pixel.frames;
  if (syntax.encoding === 'native') {
    const present = Math.min(element.length, ds.byteArray.length - element.dataOffset);
    if (present < expected) return `pixel data too short: ${present} bytes, ${expected} expected (truncated?)`;
    return undefined;
  }
  const fragments = element.fragments?.length ?? 0;
  if (!element.encapsulatedPixelData || fragments === 0) return 'compressed pixel data has no fragments';
  // Every frame starts a fragment of its own (PS3.5 A.4), so there are never fewer fragments than frames.
  if (fragments < pixel.frames) return `NumberOfFrames ${pixel.frames} but only ${fragments} compressed fragments`;
  if (expected > limits.decodedBytes) {
    return `image decodes to ${formatBytes(expected)}, above the ${formatBytes(limits.decodedBytes)} limit (NEXTMASK_MAX_DECODED_MB)`;
  }
  return undefined;
}

export async function parseInstance(bytes: Uint8Array): Promise<ParsedInstance> {
  const dataSet = await parseDataSet(bytes);
  return { dataSet, header: readHeader(dataSet) };
}

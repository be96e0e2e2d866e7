// PNG and JPEG radiographs (and binary mask PNGs) as greyscale arrays. The viewer, the
// data loader and the segmenter all read rasters through here.
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { checkDecodedSize } from '../files/limits';
import { readInputFile } from '../files/read-input';
import { rasterSize } from './raster-size';

export interface GreyImage {
  width: number;
  height: number;
  /** 8 or 16; the sample range is 0 .. 2^bitsStored - 1. */
  bitsStored: 8 | 16;
  /** Row-major samples, one per pixel. */
  data: Uint8Array | Uint16Array;
}

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, magic: number[]): boolean {
  return magic.every((b, i) => bytes[i] === b);
}

export function isRaster(bytes: Uint8Array): boolean {
  return startsWith(bytes, PNG_MAGIC) || startsWith(bytes, JPEG_MAGIC);
}

/** ITU-R BT.601 luma, so colour-saved radiographs come out as the grey they show. */
function luma(r: number, g: number, b: number): number {
  return 0.299 * r + 0.587 * g + 0.114 * b;
}

function decodePng(bytes: Uint8Array): GreyImage {
  // skipRescale keeps 16-bit samples as 16-bit; pngjs always expands to 4 channels.
  const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: true });
  const { width, height } = png;
  const n = width * height;
  const bitsStored = png.depth === 16 ? 16 : 8;
  const data = bitsStored === 16 ? new Uint16Array(n) : new Uint8Array(n);
  const src = png.data as unknown as ArrayLike<number>;
  const isGrey = (png.colorType & 2) === 0;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    data[i] = isGrey
      ? (src[o] as number)
      : Math.round(luma(src[o] as number, src[o + 1] as number, src[o + 2] as number));
  }
  return { width, height, bitsStored, data };
}

function decodeJpeg(bytes: Uint8Array): GreyImage {
  const decoded = jpeg.decode(bytes, { formatAsRGBA: false, useTArray: true, maxMemoryUsageInMB: 1024 });
  const { width, height } = decoded;
  const n = width * height;
  const data = new Uint8Array(n);
  const src = decoded.data;
  const channels = src.length / n;
  for (let i = 0; i < n; i++) {
    const o = i * channels;
    data[i] =
      channels === 1
        ? (src[o] as number)
        : Math.round(luma(src[o] as number, src[o + 1] as number, src[o + 2] as number));
  }
  return { width, height, bitsStored: 8, data };
}

type Size = { width: number; height: number };

/**
 * The size from the header, checked before decoding: a small PNG can declare a huge image of one
 * colour, and the decoder allocates four channels of up to 16 bits for every pixel it declares.
 */
function checkedSize(bytes: Uint8Array): Size {
  const size = rasterSize(bytes);
  checkDecodedSize(size.width * size.height * 8, `a ${size.width}x${size.height} image decodes to`);
  return size;
}

/** Decodes a PNG or JPEG; `check` sees its size from the header first and may refuse it. */
export function decodeRaster(bytes: Uint8Array, check?: (size: Size) => void): GreyImage {
  const size = checkedSize(bytes);
  check?.(size);
  if (startsWith(bytes, PNG_MAGIC)) return decodePng(bytes);
  if (startsWith(bytes, JPEG_MAGIC)) return decodeJpeg(bytes);
  throw new Error('not a PNG or JPEG file');
}

export async function readRaster(path: string, check?: (size: Size) => void): Promise<GreyImage> {
  const bytes = await readInputFile(path);
  try {
    return decodeRaster(bytes, check);
  } catch (err) {
    throw new Error(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** A binary mask PNG (0/255 or 0/1) as 0/1 bytes; `check` as for decodeRaster. */
export async function readBinaryMask(
  path: string,
  check?: (size: Size) => void,
): Promise<GreyImage & { data: Uint8Array }> {
  const image = await readRaster(path, check);
  const half = image.bitsStored === 16 ? 32768 : 128;
  const max = Math.max(...image.data.subarray(0, Math.min(image.data.length, 1 << 16)), 0);
  // Some masks store 1 for foreground rather than 255.
  const threshold = max <= 1 ? 1 : half;
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (image.data[i] as number) >= threshold ? 1 : 0;
  return { ...image, bitsStored: 8, data };
}

export function encodePngGrey(image: GreyImage): Buffer {
  const png = new PNG({
    width: image.width,
    height: image.height,
    colorType: 0,
    inputColorType: 0,
    bitDepth: image.bitsStored,
    inputHasAlpha: false,
  });
  // pngjs takes 16-bit input samples in platform (little-endian) order, so the array's bytes go in as they are.
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0, bitDepth: image.bitsStored, inputHasAlpha: false });
}

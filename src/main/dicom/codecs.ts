// Compressed pixel data → samples. The Emscripten codecs (libjpeg-turbo, CharLS, OpenJPEG)
// are loaded once, on first use; JPEG lossless and 12-bit JPEG extended use pure-JS decoders.
import { requireCjs } from './cjs';
import JpegImage from './codecs/jpeg.js';
import type { PixelModule } from './parse';
import type { PixelEncoding } from './uids';

export type Samples = Uint8Array | Uint16Array | Int16Array;

interface FrameInfo {
  width: number;
  height: number;
  bitsPerSample: number;
  componentCount: number;
  isSigned?: boolean;
}

interface WasmDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  getFrameInfo(): FrameInfo;
  decode(): void;
  delete(): void;
}

type WasmModule = Record<string, new () => WasmDecoder>;
type WasmFactory = (options?: object) => Promise<WasmModule>;

const WASM: Record<'jpeg-baseline' | 'jpeg-ls' | 'jpeg-2000', { pkg: string; decoder: string }> = {
  'jpeg-baseline': { pkg: '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs', decoder: 'JPEGDecoder' },
  'jpeg-ls': { pkg: '@cornerstonejs/codec-charls/decodewasmjs', decoder: 'JpegLSDecoder' },
  'jpeg-2000': { pkg: '@cornerstonejs/codec-openjpeg/decodewasmjs', decoder: 'J2KDecoder' },
};

const modules = new Map<string, Promise<WasmModule>>();

function loadWasm(pkg: string): Promise<WasmModule> {
  let loaded = modules.get(pkg);
  if (!loaded) {
    const factory = requireCjs(pkg) as WasmFactory;
    // OpenJPEG prints progress to stdout; keep it out of the app's output.
    loaded = factory({ print: () => {}, printErr: () => {} });
    modules.set(pkg, loaded);
  }
  return loaded;
}

function typed(bytes: Uint8Array, pixel: PixelModule, bitsPerSample: number): Samples {
  if (bitsPerSample <= 8) return bytes;
  // Copy into aligned storage; the wasm heap view is not ours to keep.
  const copy = bytes.slice();
  const Ctor = pixel.pixelRepresentation === 1 ? Int16Array : Uint16Array;
  return new Ctor(copy.buffer, 0, copy.byteLength / 2);
}

const NAMES: Record<keyof typeof WASM, string> = {
  'jpeg-baseline': 'JPEG',
  'jpeg-ls': 'JPEG-LS',
  'jpeg-2000': 'JPEG 2000',
};

/**
 * The Emscripten codecs throw a bare number (a pointer to a C++ exception) or a string; neither
 * tells a user anything, so say what failed and keep the codec's own words only when it has some.
 */
function codecError(encoding: keyof typeof WASM, err: unknown): Error {
  const words = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  const detail = words && !/^\d+$/.test(words) ? `: ${words}` : '';
  return new Error(`the ${NAMES[encoding]} image data cannot be decoded (damaged or not ${NAMES[encoding]})${detail}`);
}

async function decodeWasm(encoding: keyof typeof WASM, frame: Uint8Array, pixel: PixelModule): Promise<Samples> {
  const { pkg, decoder: name } = WASM[encoding];
  const codec = await loadWasm(pkg);
  const Decoder = codec[name];
  if (!Decoder) throw new Error(`${pkg} has no ${name}`);
  const decoder = new Decoder();
  try {
    decoder.getEncodedBuffer(frame.length).set(frame);
    try {
      decoder.decode();
    } catch (err) {
      throw codecError(encoding, err);
    }
    const info = decoder.getFrameInfo();
    if (info.width !== pixel.columns || info.height !== pixel.rows) {
      throw new Error(`codestream is ${info.width}x${info.height}, header says ${pixel.columns}x${pixel.rows}`);
    }
    return typed(decoder.getDecodedBuffer(), pixel, info.bitsPerSample);
  } finally {
    decoder.delete();
  }
}

function decodeJpegLossless(frame: Uint8Array, pixel: PixelModule): Samples {
  const { Decoder } = requireCjs('jpeg-lossless-decoder-js') as {
    Decoder: new () => { decode(b: ArrayBuffer, offset: number, length: number, bytes: number): Samples };
  };
  const bytesPerSample = pixel.bitsAllocated <= 8 ? 1 : 2;
  const out = new Decoder().decode(frame.buffer as ArrayBuffer, frame.byteOffset, frame.byteLength, bytesPerSample);
  if (bytesPerSample === 2 && pixel.pixelRepresentation === 1)
    return new Int16Array(out.buffer, out.byteOffset, out.length);
  return out;
}

/** JPEG extended with 12-bit precision, which the 8-bit libjpeg-turbo build cannot read. */
function decodeJpeg12(frame: Uint8Array, pixel: PixelModule): Samples {
  if (pixel.samplesPerPixel !== 1) {
    throw new Error(`${pixel.bitsStored}-bit colour JPEG extended is not supported`);
  }
  const jpeg = new JpegImage();
  try {
    jpeg.parse(frame);
  } catch (error) {
    // The decoder throws strings; keep its words but make them an Error.
    throw new Error(`JPEG extended: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (jpeg.width !== pixel.columns || jpeg.height !== pixel.rows) {
    throw new Error(`codestream is ${jpeg.width}x${jpeg.height}, header says ${pixel.columns}x${pixel.rows}`);
  }
  return jpeg.getData16(pixel.columns, pixel.rows);
}

export async function decompress(
  encoding: Exclude<PixelEncoding, 'native' | 'rle'>,
  frame: Uint8Array,
  pixel: PixelModule,
): Promise<Samples> {
  if (encoding === 'jpeg-lossless') return decodeJpegLossless(frame, pixel);
  if (encoding === 'jpeg-baseline' && pixel.bitsStored > 8) return decodeJpeg12(frame, pixel);
  return decodeWasm(encoding, frame, pixel);
}

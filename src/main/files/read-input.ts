// Reading what a user or a peer hands us: regular files only (a FIFO never ends, /dev/zero never
// stops, a socket is not a file), their size checked before the read, and compressed streams
// inflated off the main thread (zlib's thread pool) with a cap on their output.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { createGunzip, createInflateRaw, gunzip, inflateRaw, type ZlibOptions } from 'node:zlib';
import { plainFsError } from './fs-errors';
import { formatBytes, inputLimits } from './limits';

function kindOf(info: import('node:fs').Stats): string {
  if (info.isDirectory()) return 'a folder';
  if (info.isFIFO()) return 'a pipe (FIFO)';
  if (info.isCharacterDevice() || info.isBlockDevice()) return 'a device';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** A regular file's bytes; anything else, or a file above the size limit, is a clear error. */
export async function readInputFile(path: string, maxBytes = inputLimits().fileBytes): Promise<Buffer> {
  // O_NONBLOCK: opening a FIFO must not wait for a writer (it would hold a libuv thread forever).
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK).catch((err: unknown) => {
    throw plainFsError(err, path, false);
  });
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new Error(`${kindOf(info)}, not a file that can be opened`);
    if (info.size > maxBytes) {
      throw new Error(`file is ${formatBytes(info.size)}, above the ${formatBytes(maxBytes)} limit`);
    }
    const bytes = Buffer.allocUnsafe(info.size);
    let read = 0;
    while (read < info.size) {
      const { bytesRead } = await handle.read(bytes, read, info.size - read, read);
      if (bytesRead === 0) break; // shrank while we read
      read += bytesRead;
    }
    return read === info.size ? bytes : bytes.subarray(0, read);
  } finally {
    await handle.close();
  }
}

const inflateRawAsync = promisify<Buffer | Uint8Array, ZlibOptions, Buffer>(inflateRaw);
const gunzipAsync = promisify<Buffer | Uint8Array, ZlibOptions, Buffer>(gunzip);

async function capped(
  run: (bytes: Uint8Array, options: ZlibOptions) => Promise<Buffer>,
  bytes: Uint8Array,
  what: string,
  maxBytes: number,
): Promise<Buffer> {
  try {
    return await run(bytes, { maxOutputLength: maxBytes });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new Error(`${what} expands to more than ${formatBytes(maxBytes)} (a decompression bomb?)`);
    }
    throw new Error(`${what} is damaged: ${(err as Error).message}`);
  }
}

/** Raw deflate (DICOM's deflated transfer syntax), at most `maxBytes` out. */
export function inflateRawCapped(bytes: Uint8Array, what: string, maxBytes = inputLimits().inflatedBytes) {
  return capped(inflateRawAsync, bytes, what, maxBytes);
}

/**
 * The first `count` bytes a gzip (or raw deflate) stream inflates to (fewer if it is shorter), inflating
 * no more than that (off the main thread): a file's header can be checked before the file is inflated whole.
 */
export function inflateHead(bytes: Uint8Array, count: number, what: string, format: 'gzip' | 'raw'): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    const stream = format === 'gzip' ? createGunzip() : createInflateRaw();
    const finish = () => {
      stream.removeAllListeners('data');
      stream.destroy();
      resolve(Buffer.concat(chunks).subarray(0, count));
    };
    stream.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      have += chunk.length;
      if (have >= count) finish();
    });
    stream.on('end', finish);
    stream.on('error', (err) => {
      if (have >= count) return;
      reject(new Error(`${what} is damaged: ${err.message}`));
    });
    stream.end(bytes);
  });
}

/** Gzip (.nii.gz), at most `maxBytes` out. */
export function gunzipCapped(bytes: Uint8Array, what: string, maxBytes = inputLimits().inflatedBytes) {
  return capped(gunzipAsync, bytes, what, maxBytes);
}

// Worker-thread entry: decodes frames (DICOM through decodeFrame, PNG/JPEG through
// decodeRaster) so that a large JPEG 2000 does not stall main's event loop. FrameDecoder
// (decode-client.ts) is the caller's side; pixels come back transferred, not copied.
import { parentPort } from 'node:worker_threads';
import { readInputFile } from '../files/read-input';
import { BoundedCache } from '../imaging/bounded-cache';
import { type DecodedFrame, frameFromGrey, type StoredArray } from '../imaging/frame';
import { decodeRaster } from '../imaging/raster';
import type { DecodeReply, DecodeRequest } from './decode-client';
import { decodeFrame } from './decode-frame';
import { type ParsedInstance, parseInstance } from './parse';

const port = parentPort;
if (!port) throw new Error('decode-worker.ts must run in a worker thread');

// The last few parsed files, so scrolling a multi-frame file does not re-read it per frame
// (FrameDecoder sends every request for one file to the same worker).
const parsed = new BoundedCache<string, ParsedInstance>(4, () => 1);

async function decode({ path, frame, raster }: DecodeRequest): Promise<DecodedFrame> {
  if (raster) return frameFromGrey(decodeRaster(await readInputFile(path)));
  let instance = parsed.get(path);
  if (!instance) {
    instance = await parseInstance(await readInputFile(path));
    parsed.set(path, instance);
  }
  return decodeFrame(instance, frame);
}

/** The samples in a buffer of their own, so transferring it hands over nothing else. */
function owned(stored: StoredArray): StoredArray {
  return stored.byteOffset === 0 && stored.byteLength === stored.buffer.byteLength ? stored : stored.slice();
}

port.on('message', (request: DecodeRequest) => {
  decode(request).then(
    (frame) => {
      const stored = owned(frame.stored);
      const reply: DecodeReply = { id: request.id, frame: { ...frame, stored } };
      port.postMessage(reply, [stored.buffer as ArrayBuffer]);
    },
    (error: unknown) => {
      const reply: DecodeReply = { id: request.id, error: error instanceof Error ? error.message : String(error) };
      port.postMessage(reply);
    },
  );
});

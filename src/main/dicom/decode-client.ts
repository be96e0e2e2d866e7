// Frame decoding off main's event loop: a small pool of decode workers (decode-worker.ts)
// behind one promise-returning call. Requests for one file always go to the same worker, so
// its parsed-file cache serves multi-frame scrolling. Workers start on first use and do not
// keep the process alive while idle.
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { DecodedFrame } from '../imaging/frame';
import { besideModule, startWorker, type WorkerScript } from '../workers/launch';

export interface FrameRequest {
  path: string;
  /** Frame within the file (0 for rasters). */
  frame: number;
  /** PNG/JPEG radiograph rather than DICOM. */
  raster: boolean;
}

export type DecodeRequest = FrameRequest & { id: number };
export type DecodeReply = { id: number; frame: DecodedFrame } | { id: number; error: string };

/** Name of the built worker bundle (see electron.vite.config.ts, main build inputs). */
export const DECODE_WORKER_BUNDLE = 'decode-worker.js';

const SCRIPT: WorkerScript = {
  bundle: DECODE_WORKER_BUNDLE,
  source: besideModule(import.meta.url, 'decode-worker.ts'),
};

type Pending = { resolve: (frame: DecodedFrame) => void; reject: (error: Error) => void };

/** One worker thread and the requests it has not answered yet. */
class Slot {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();

  decode(request: DecodeRequest): Promise<DecodedFrame> {
    const worker = this.worker ?? this.start();
    return new Promise((resolve, reject) => {
      // Held only while busy: an idle pool must not keep a CLI or a test run alive.
      if (this.pending.size === 0) worker.ref();
      this.pending.set(request.id, { resolve, reject });
      worker.postMessage(request);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    this.failAll(new Error('frame decoder closed'));
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = startWorker(SCRIPT);
    worker.unref();
    worker.on('message', (reply: DecodeReply) => this.settle(reply));
    // A crashed worker (e.g. a codec aborting) fails only its own requests; the next starts a new one.
    worker.on('error', (error) => this.lost(worker, `decode worker failed: ${error.message}`));
    worker.on('exit', (code) => this.lost(worker, `decode worker exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  private settle(reply: DecodeReply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if ('frame' in reply) p.resolve(reply.frame);
    else p.reject(new Error(reply.error));
  }

  private lost(worker: Worker, message: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.failAll(new Error(message));
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}

/** One worker per spare core, at most two: decoding is bursty and each worker holds wasm heaps. */
export function defaultDecodeWorkers(): number {
  return Math.max(1, Math.min(2, availableParallelism() - 1));
}

export class FrameDecoder {
  private readonly slots: Slot[];
  private nextId = 1;

  constructor(workers: number = defaultDecodeWorkers()) {
    if (!Number.isInteger(workers) || workers < 1) throw new Error(`decode workers must be ≥ 1, got ${workers}`);
    this.slots = Array.from({ length: workers }, () => new Slot());
  }

  decode(request: FrameRequest): Promise<DecodedFrame> {
    return this.slotFor(request.path).decode({ ...request, id: this.nextId++ });
  }

  /** Stops the workers; pending requests fail. A later decode starts them again. */
  async close(): Promise<void> {
    await Promise.all(this.slots.map((slot) => slot.close()));
  }

  private slotFor(path: string): Slot {
    let hash = 0;
    for (let i = 0; i < path.length; i++) hash = (hash * 31 + path.charCodeAt(i)) >>> 0;
    return this.slots[hash % this.slots.length] as Slot;
  }
}

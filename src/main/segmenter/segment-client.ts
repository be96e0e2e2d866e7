// The segmenter as a service: one worker thread (segment-worker.ts) holds the model and runs
// prompt → mask requests on frames the viewer already decoded, so ORT's blocking run() never
// touches main's event loop. The model loads when the app starts (preload) or on the first request,
// and again when the model folder (or its files) changes. One request runs at a time: a new one cancels the running one,
// and a cancelled one rejects at once (AbortError) while the worker stops at its next forward
// pass, told through a shared counter it polls. Progress streams back once per completed grid row,
// and a draft of the answer (PARTIAL_SIZE² bits, ~8 KB) as each test-time view lands.
import { resolve } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type {
  ExecutionProviderChoice,
  PointedBox,
  PointedClick,
  ProviderReport,
  SegmenterStatus,
  SegmentProgress,
  SegmentResult,
} from '../../shared/segment-types';
import { executionProviderFromEnv } from '../engine/execution-provider';
import { abortError } from '../errors';
import type { DecodedFrame } from '../imaging/frame';
import { besideModule, startWorker, type WorkerScript } from '../workers/launch';

export interface SegmenterOptions {
  /** A model folder as training exports it (docs/MODEL.md). */
  modelDir: string;
  /** The model folder for box and click prompts when `modelDir`'s model takes text only; absent: none. */
  regionModelDir?: string;
  /** Default 'auto'. */
  executionProvider?: ExecutionProviderChoice;
  /** ORT intra-op threads; ORT's default when absent. */
  threads?: number;
}

export interface SegmentInput {
  frame: DecodedFrame;
  /** A PNG/JPEG radiograph (scaled by bit depth) rather than a DICOM frame (windowed). */
  raster: boolean;
  prompt: string;
  /** The image's DICOM Modality, for a notice when it is not a radiograph (none for PNG/JPEG). */
  modality?: string;
  /** The image's DICOM BodyPartExamined, for a notice when the model was not trained on that part. */
  bodyPart?: string;
  /** Where the clinician pointed (source pixels): decoded zoomed (pipeline/pointed.ts). */
  box?: PointedBox;
  clicks?: PointedClick[];
  /** The segment's mask so far, bit-packed at the frame's size: what the clicks correct. */
  previous?: Uint8Array;
}

/** A segment:run result less the request id (the IPC layer's); the mask is bit-packed (packBits). */
export type SegmentOutcome = Omit<SegmentResult, 'requestId'>;

/** A segment:progress event less the request id. */
export type PartialMask = Omit<SegmentProgress, 'requestId'>;

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: PartialMask) => void;
}

// Worker protocol.
export interface ModelConfig {
  modelDir: string;
  regionModelDir?: string;
  executionProvider: ExecutionProviderChoice;
  threads?: number;
}
export interface WorkerInit {
  /** [0]: requests with a smaller id are cancelled. */
  cancelBelow: Int32Array;
}
export type WorkerRequest =
  | ({ type: 'run'; id: number; config: ModelConfig } & SegmentInput)
  /** Load the model (and warm it) ahead of the first prompt; a failure waits for that prompt to be reported. */
  | { type: 'load'; config: ModelConfig };
export type WorkerReply =
  | ({ type: 'model'; loaded: true; modelDir: string } & ProviderReport)
  | { type: 'model'; loaded: false }
  | ({ type: 'progress'; id: number } & PartialMask)
  | ({ type: 'done'; id: number } & SegmentOutcome)
  | { type: 'error'; id: number; message: string; cancelled: boolean };

/** Name of the built worker bundle (see electron.vite.config.ts, main build inputs). */
export const SEGMENT_WORKER_BUNDLE = 'segment-worker.js';
const SCRIPT: WorkerScript = {
  bundle: SEGMENT_WORKER_BUNDLE,
  source: besideModule(import.meta.url, 'segment-worker.ts'),
};

/** A segmenter worker thread (the service's; tests talk to one directly). */
export function startSegmentWorker(init: WorkerInit): Worker {
  return startWorker(SCRIPT, { workerData: init });
}

/** The default model folders, relative to the working directory. */
export interface ModelDirs {
  text: string;
  region: string;
}

/**
 * The app's segmenter settings: NEXTMASK_MODEL_DIR and NEXTMASK_REGION_MODEL_DIR (defaults `dirs`, relative to
 * the working directory), NEXTMASK_EXECUTION_PROVIDER (auto|cpu|cuda|dml|coreml|webgpu), NEXTMASK_THREADS.
 */
export function segmenterOptionsFromEnv(dirs: ModelDirs, env: NodeJS.ProcessEnv = process.env): SegmenterOptions {
  const executionProvider = executionProviderFromEnv(env);
  const threads = env.NEXTMASK_THREADS === undefined ? undefined : Number(env.NEXTMASK_THREADS);
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1)) {
    throw new Error(`NEXTMASK_THREADS must be a whole number ≥ 1, got "${env.NEXTMASK_THREADS}"`);
  }
  return {
    modelDir: resolve(env.NEXTMASK_MODEL_DIR ?? dirs.text),
    regionModelDir: resolve(env.NEXTMASK_REGION_MODEL_DIR ?? dirs.region),
    executionProvider,
    ...(threads ? { threads } : {}),
  };
}

interface Active extends RunOptions {
  id: number;
  resolve: (outcome: SegmentOutcome) => void;
  reject: (error: Error) => void;
}

/** Resolves when the worker answers a request (done or error), or after `ms`. */
function finished(worker: Worker, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      worker.off('message', onMessage);
      resolve();
    }
    function onMessage(reply: WorkerReply) {
      if (reply.type === 'done' || reply.type === 'error') done();
    }
    worker.on('message', onMessage);
  });
}

export class SegmenterService {
  private worker: Worker | null = null;
  private readonly cancelBelow = new Int32Array(new SharedArrayBuffer(4));
  private nextId = 1;
  private active: Active | null = null;
  private config: ModelConfig;
  private model: ({ loaded: true; modelDir: string } & ProviderReport) | { loaded: false } = { loaded: false };

  constructor(options: SegmenterOptions) {
    this.config = this.configOf(options.modelDir, options);
  }

  private configOf(modelDir: string, options: Omit<SegmenterOptions, 'modelDir'>): ModelConfig {
    return {
      modelDir: resolve(modelDir),
      ...(options.regionModelDir ? { regionModelDir: resolve(options.regionModelDir) } : {}),
      executionProvider: options.executionProvider ?? 'auto',
      ...(options.threads ? { threads: options.threads } : {}),
    };
  }

  /** Points at another model folder; the next request loads it. */
  setModelDir(modelDir: string): void {
    this.config = this.configOf(modelDir, this.config);
  }

  status(): SegmenterStatus {
    const { modelDir, executionProvider, threads } = this.config;
    return {
      modelDir,
      requested: executionProvider,
      threads: threads ?? null,
      // A model loaded from a folder no longer configured counts as not loaded: the next request replaces it.
      ...(this.model.loaded && this.model.modelDir === modelDir
        ? {
            loaded: true,
            provider: this.model.provider,
            ...(this.model.fallbackReason ? { fallbackReason: this.model.fallbackReason } : {}),
          }
        : { loaded: false, provider: null }),
    };
  }

  /**
   * Loads the model in the worker now, in the background, so the first prompt does not wait for it
   * (a failure is reported by that prompt, which tries again).
   */
  preload(): void {
    const worker = this.worker ?? this.start();
    const request: WorkerRequest = { type: 'load', config: this.config };
    worker.postMessage(request);
  }

  /** Segments `input`; cancels the request running before it. */
  run(input: SegmentInput, options: RunOptions = {}): Promise<SegmentOutcome> {
    this.cancel();
    const id = this.nextId++;
    Atomics.store(this.cancelBelow, 0, id);
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortError());
    const worker = this.worker ?? this.start();
    return new Promise<SegmentOutcome>((resolve, reject) => {
      const onAbort = () => this.cancel(id);
      signal?.addEventListener('abort', onAbort, { once: true });
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        if (this.active?.id === id) this.active = null;
        // Held only while busy: an idle segmenter must not keep a CLI or a test run alive.
        if (!this.active) this.worker?.unref();
      };
      this.active = {
        id,
        ...options,
        resolve: (outcome) => {
          done();
          resolve(outcome);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      worker.ref();
      const request: WorkerRequest = { type: 'run', id, config: this.config, ...input };
      worker.postMessage(request);
    });
  }

  /** Cancels the running request (or request `id` if it is the one running); false when none was. */
  cancel(id?: number): boolean {
    const active = this.active;
    if (!active || (id !== undefined && active.id !== id)) return false;
    Atomics.store(this.cancelBelow, 0, Math.max(Atomics.load(this.cancelBelow, 0), active.id + 1));
    active.reject(abortError());
    return true;
  }

  /** Stops the worker (a running request is cancelled); a later request starts a new one. */
  async close(): Promise<void> {
    const busy = this.active !== null;
    this.cancel();
    const worker = this.worker;
    this.worker = null;
    this.model = { loaded: false };
    // Terminating a thread inside an ORT run aborts the whole process (the native run outlives the
    // thread), so a busy worker first gets to finish its pass and acknowledge the cancel (2 s at most).
    if (worker && busy) await finished(worker, 2000);
    await worker?.terminate();
  }

  private start(): Worker {
    const worker = startSegmentWorker({ cancelBelow: this.cancelBelow });
    worker.unref();
    worker.on('message', (reply: WorkerReply) => this.receive(reply));
    // A crashed worker fails only the running request; the next request starts a new one.
    worker.on('error', (error) => this.lost(worker, `the segmenter worker failed: ${error.message}`));
    worker.on('exit', (code) => this.lost(worker, `the segmenter worker exited (code ${code})`));
    this.worker = worker;
    return worker;
  }

  private receive(reply: WorkerReply): void {
    if (reply.type === 'model') {
      const { type: _, ...model } = reply;
      this.model = model;
      return;
    }
    const active = this.active;
    if (!active || active.id !== reply.id) return; // a cancelled request's late news
    if (reply.type === 'progress') {
      const { type: _, id: __, ...progress } = reply;
      active.onProgress?.(progress);
    } else if (reply.type === 'done') {
      const { type: _, id: __, ...outcome } = reply;
      active.resolve(outcome);
    } else {
      active.reject(reply.cancelled ? abortError() : new Error(reply.message));
    }
  }

  private lost(worker: Worker, message: string): void {
    if (this.worker !== worker) return;
    this.worker = null;
    this.model = { loaded: false };
    this.active?.reject(new Error(message));
  }
}

// Caller-side handle on a training worker thread: progress events, cancellation through a
// shared flag, and the execution provider actually in use.
import type { Worker } from 'node:worker_threads';
import { besideModule, startWorker, type WorkerLaunch, type WorkerScript, workerLaunch } from '../workers/launch';
import type { StepResult, TrainerState } from './trainer';
import type { Ready, Reply, Request, TrainJob, TrainSummary, WorkerSpec } from './worker-protocol';

export type { TrainJob, TrainSummary, WorkerSpec } from './worker-protocol';

/** Name of the built worker bundle (see electron.vite.config.ts, main build inputs). */
export const WORKER_BUNDLE = 'engine-worker.js';

const SCRIPT: WorkerScript = { bundle: WORKER_BUNDLE, source: besideModule(import.meta.url, 'training-worker.ts') };

/** How the training worker starts from here (sources or build; see workers/launch.ts). */
export function workerEntry(moduleUrl?: string): WorkerLaunch {
  return workerLaunch(SCRIPT, moduleUrl);
}

export interface TrainOptions {
  onProgress?: (p: { index: number; total: number; result: StepResult }) => void;
  /** Aborting stops the job after the step in progress; the job resolves with cancelled: true. */
  signal?: AbortSignal;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void; onProgress?: TrainOptions['onProgress'] };

export class TrainingWorker {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly cancelFlag = new SharedArrayBuffer(4);
  private exitError: Error | null = null;
  private readyInfo: Ready | null = null;

  private constructor(private readonly worker: Worker) {}

  /** Starts a worker, builds the model's train step there and reports the provider in use. */
  static async start(spec: WorkerSpec): Promise<TrainingWorker> {
    const worker = startWorker(SCRIPT);
    const handle = new TrainingWorker(worker);
    worker.on('message', (reply: Reply) => handle.onReply(reply));
    worker.on('error', (error) => handle.failAll(error));
    worker.on('exit', (code) => handle.failAll(new Error(`training worker exited (code ${code})`)));
    try {
      handle.readyInfo = (await handle.request({ type: 'init', spec, cancelFlag: handle.cancelFlag })) as Ready;
      return handle;
    } catch (error) {
      await worker.terminate();
      throw error;
    }
  }

  /** Provider in use (and why not the requested one), step count and parameter count. */
  get ready(): Ready {
    if (!this.readyInfo) throw new Error('training worker not started');
    return this.readyInfo;
  }

  private onReply(reply: Reply): void {
    const p = this.pending.get(reply.id);
    if (!p) return;
    if (reply.type === 'progress') p.onProgress?.({ index: reply.index, total: reply.total, result: reply.result });
    else {
      this.pending.delete(reply.id);
      if (reply.type === 'ok') p.resolve(reply.value);
      else p.reject(new Error(reply.message));
    }
  }

  private failAll(error: Error): void {
    this.exitError ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  private request(req: DistributiveOmit<Request, 'id'>, onProgress?: TrainOptions['onProgress']): Promise<unknown> {
    if (this.exitError) return Promise.reject(this.exitError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(onProgress ? { onProgress } : {}) });
      this.worker.postMessage({ ...req, id });
    });
  }

  /** Runs the job's steps in order; resolves when done or cancelled. */
  async train(job: TrainJob, options: TrainOptions = {}): Promise<TrainSummary> {
    const flag = new Int32Array(this.cancelFlag);
    Atomics.store(flag, 0, 0);
    const onAbort = () => Atomics.store(flag, 0, 1);
    if (options.signal?.aborted) onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      return (await this.request({ type: 'train', job }, options.onProgress)) as TrainSummary;
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  state(): Promise<TrainerState> {
    return this.request({ type: 'state' }) as Promise<TrainerState>;
  }

  /** Atomic checkpoint of the worker's trainer (see checkpoint.ts). */
  async saveCheckpoint(path: string, config: unknown): Promise<void> {
    await this.request({ type: 'save', path, config });
  }

  /** Inference-only ONNX model with the current parameters. */
  exportInference(): Promise<Uint8Array> {
    return this.request({ type: 'export' }) as Promise<Uint8Array>;
  }

  async close(): Promise<void> {
    this.exitError ??= new Error('training worker closed');
    await this.worker.terminate();
  }
}

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;

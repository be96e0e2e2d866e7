// Runs a fine-tuning job in a worker thread (job-worker.ts): progress as events, cancel through a
// shared flag the job polls between steps (its loop never yields to messages while ORT runs).

import { besideModule, startWorker, type WorkerScript } from '../workers/launch';
import type { FineTuneProgress, FineTuneResult, FineTuneSpec } from './job';

export interface JobInit {
  spec: FineTuneSpec;
  cancelFlag: SharedArrayBuffer;
}
export type JobReply =
  | { type: 'progress'; progress: FineTuneProgress }
  | { type: 'done'; result: FineTuneResult }
  | {
      type: 'error';
      message: string;
      cancelled: boolean;
      /** The system error's code (ENOSPC, …), if any. */
      code?: string;
    };

/** Name of the built worker bundle (electron.vite.config.ts, main build inputs). */
export const FINETUNE_WORKER_BUNDLE = 'finetune-worker.js';
const SCRIPT: WorkerScript = { bundle: FINETUNE_WORKER_BUNDLE, source: besideModule(import.meta.url, 'job-worker.ts') };

export class FineTuneCancelled extends Error {
  constructor() {
    super('fine-tuning was cancelled');
    this.name = 'AbortError';
  }
}

export function runInWorker(
  spec: FineTuneSpec,
  options: { onProgress?: (p: FineTuneProgress) => void; signal?: AbortSignal } = {},
): Promise<FineTuneResult> {
  const cancelFlag = new SharedArrayBuffer(4);
  const flag = new Int32Array(cancelFlag);
  const init: JobInit = { spec, cancelFlag };
  const worker = startWorker(SCRIPT, { workerData: init });
  const onAbort = () => Atomics.store(flag, 0, 1);
  if (options.signal?.aborted) onAbort();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  return new Promise<FineTuneResult>((resolve, reject) => {
    let settled = false;
    const finish = (f: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      f();
      // The job has returned from ORT by now, so ending the thread cannot cut a native run short.
      void worker.terminate();
    };
    worker.on('message', (reply: JobReply) => {
      if (reply.type === 'progress') options.onProgress?.(reply.progress);
      else if (reply.type === 'done') finish(() => resolve(reply.result));
      else
        finish(() =>
          reject(
            reply.cancelled
              ? new FineTuneCancelled()
              : Object.assign(new Error(reply.message), reply.code ? { code: reply.code } : {}),
          ),
        );
    });
    worker.on('error', (err) => finish(() => reject(new Error(`the fine-tuning worker failed: ${err.message}`))));
    worker.on('exit', (code) => finish(() => reject(new Error(`the fine-tuning worker exited (code ${code})`))));
  });
}

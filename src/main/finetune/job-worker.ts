// Worker-thread entry of a fine-tuning run (job-client.ts is the caller's side): ORT's run() blocks
// the thread that calls it, so the run lives here and the app keeps answering prompts.
import { parentPort, workerData } from 'node:worker_threads';
import { Cancelled, runFineTune } from './job';
import type { JobInit, JobReply } from './job-client';

const port = parentPort;
if (!port) throw new Error('job-worker.ts must run in a worker thread');
const { spec, cancelFlag } = workerData as JobInit;
const cancel = new Int32Array(cancelFlag);
const post = (reply: JobReply) => port.postMessage(reply);

runFineTune(spec, {
  onProgress: (progress) => post({ type: 'progress', progress }),
  cancelled: () => Atomics.load(cancel, 0) !== 0,
}).then(
  (result) => post({ type: 'done', result }),
  (err: unknown) => {
    const code = (err as NodeJS.ErrnoException | null)?.code;
    post({
      type: 'error',
      message: err instanceof Error ? err.message : String(err),
      cancelled: err instanceof Cancelled,
      ...(typeof code === 'string' ? { code } : {}),
    });
  },
);

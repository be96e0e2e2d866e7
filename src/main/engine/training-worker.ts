// Worker-thread entry: owns one Trainer and serves TrainingWorker's requests. ORT's run()
// blocks whichever thread calls it, which is why training lives here.
import { parentPort } from 'node:worker_threads';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';
import { exportDecoder } from './export';
import { makeTrainStep, type TrainProgram } from './train-step';
import { Trainer } from './trainer';
import { decoderBatch, decoderLoss } from './transformer';
import type { ModelSpec, Reply, Request, TrainSummary, WorkerSpec } from './worker-protocol';

const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');

function program(spec: WorkerSpec): TrainProgram {
  const m: ModelSpec = spec.model;
  if (m.kind !== 'decoder') throw new Error(`unknown model kind ${(m as { kind: string }).kind}`);
  return makeTrainStep({
    batch: decoderBatch(m.batch, m.seq),
    loss: decoderLoss(m.config, m.seq),
    ...(spec.optimizer ? { optimizer: spec.optimizer } : {}),
  });
}

let trainer: Trainer | null = null;
let spec: WorkerSpec | null = null;
let cancel: Int32Array | null = null;

function send(reply: Reply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(reply, transfer);
}

async function handle(req: Request): Promise<void> {
  if (req.type === 'init') {
    spec = req.spec;
    cancel = new Int32Array(req.cancelFlag);
    const state = spec.checkpoint ? (await loadCheckpoint(spec.checkpoint)).state : undefined;
    trainer = await Trainer.create(program(spec), {
      ...(spec.executionProvider ? { executionProvider: spec.executionProvider } : {}),
      ...(spec.threads ? { threads: spec.threads } : {}),
      ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
      ...(state ? { state } : {}),
    });
    const parameters = trainer.program.params.reduce((s, p) => s + p.size, 0);
    const { name: provider, fallbackReason } = trainer.provider;
    const ready = { provider, ...(fallbackReason ? { fallbackReason } : {}), steps: trainer.steps, parameters };
    send({ id: req.id, type: 'ok', value: ready });
    return;
  }
  if (!trainer || !spec || !cancel) throw new Error('worker not initialised');
  switch (req.type) {
    case 'train': {
      const { steps, lr } = req.job;
      if (Array.isArray(lr) && lr.length !== steps.length)
        throw new Error(`${lr.length} learning rates for ${steps.length} steps`);
      const summary: TrainSummary = { completed: 0, cancelled: false };
      for (const [index, batch] of steps.entries()) {
        // The flag is shared memory, so a cancel lands even while this loop never yields to messages.
        if (Atomics.load(cancel, 0) !== 0) {
          summary.cancelled = true;
          break;
        }
        const result = await trainer.step(batch, Array.isArray(lr) ? (lr[index] as number) : lr);
        summary.completed++;
        summary.last = result;
        send({ id: req.id, type: 'progress', index, total: steps.length, result });
      }
      send({ id: req.id, type: 'ok', value: summary });
      return;
    }
    case 'state':
      send({ id: req.id, type: 'ok', value: trainer.state() });
      return;
    case 'save': {
      const shapes = Object.fromEntries(trainer.program.params.map((p) => [p.name, p.shape]));
      await saveCheckpoint(req.path, { state: trainer.state(), config: req.config, shapes });
      send({ id: req.id, type: 'ok', value: null });
      return;
    }
    case 'export': {
      const m = spec.model;
      const bytes = exportDecoder(m.config, m.seq, trainer.parameters());
      send({ id: req.id, type: 'ok', value: bytes }, [bytes.buffer as ArrayBuffer]);
      return;
    }
  }
}

// Requests run one at a time, in order; a failure answers that request and keeps the worker alive.
let queue = Promise.resolve();
port.on('message', (req: Request) => {
  queue = queue.then(() =>
    handle(req).catch((error: unknown) => {
      send({ id: req.id, type: 'error', message: error instanceof Error ? error.message : String(error) });
    }),
  );
});

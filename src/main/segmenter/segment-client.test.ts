// The segmenter service in plain Node with a small random model of the real format: results equal
// segment() on the same input, partial masks stream, cancellation and supersession, clear errors
// after which the worker still serves, providers, and main's event loop kept free.
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unpackBits } from '../../shared/labelmap/bits';
import { PARTIAL_SIZE } from '../../shared/segment-types';
import { GRID_TOKENS } from '../../shared/tokens';
import { decodeFrame } from '../dicom/decode-frame';
import { parseInstance } from '../dicom/parse';
import { gpuProviders } from '../engine/execution-provider';
import { percentile } from '../evaluation/average';
import type { DecodedFrame } from '../imaging/frame';
import { unitPlane } from '../imaging/model-input';
import { sharedPath } from '../testing/shared-data';
import { timerGaps } from '../testing/timer-gaps';
import { TINY_REGION, writeRandomModel } from '../testing/tiny-model';
import { GRID } from '../tokenizers/grid';
import { segmentPointed } from './pipeline/pointed';
import { segment } from './pipeline/segment';
import { filmFromFrame, inputFromFrame } from './prepare-input';
import { loadModel, type SegmentationModel } from './runtime/model-files';
import {
  type PartialMask,
  SegmenterService,
  segmenterOptionsFromEnv,
  startSegmentWorker,
  type WorkerReply,
  type WorkerRequest,
} from './segment-client';

const J2K = sharedPath('dicom', 'chest-xray', 'RG1_J2KI.dcm');
let dir: string;
let modelDir: string;
let frame: DecodedFrame;
let model: SegmentationModel;
const services: SegmenterService[] = [];

function service(options: Partial<ConstructorParameters<typeof SegmenterService>[0]> = {}): SegmenterService {
  const s = new SegmenterService({ modelDir, executionProvider: 'cpu', threads: 1, ...options });
  services.push(s);
  return s;
}

const computed = new Map<string, ReturnType<typeof segment>>();
/** segment() on this thread, from the same frame: what the service must return. */
function expected(prompt: string): ReturnType<typeof segment> {
  let result = computed.get(prompt);
  if (!result) {
    result = segment(model, inputFromFrame(frame, false), prompt, { width: frame.columns, height: frame.rows });
    computed.set(prompt, result);
  }
  return result;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nextmask-service-'));
  await writeRandomModel(dir);
  modelDir = join(dir, 'model');
  model = await loadModel(modelDir, 1);
  frame = await decodeFrame(await parseInstance(await readFile(J2K)), 0);
}, 60_000);
afterAll(async () => {
  await Promise.all(services.map((s) => s.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('SegmenterService', () => {
  // One worker for the tests that do not depend on its settings (each start costs a second or two).
  let shared: SegmenterService;
  beforeAll(() => {
    shared = service();
  });

  it('returns exactly what segment() gives for the same frame and prompt, streaming the rows before it', async () => {
    const s = shared;
    expect(s.status()).toMatchObject({ modelDir, loaded: false, provider: null, requested: 'cpu', threads: 1 });
    const progress: PartialMask[] = [];
    const outcome = await s.run(
      { frame, raster: false, prompt: '  left lung ' },
      { onProgress: (p) => progress.push(p) },
    );
    const want = await expected('left lung');
    expect([outcome.width, outcome.height]).toEqual([1841, 1955]);
    const mask = unpackBits(outcome.mask, outcome.width * outcome.height);
    expect(Buffer.from(mask).equals(Buffer.from(want.mask.data))).toBe(true);
    expect(outcome.foreground).toBe(want.mask.data.reduce((n, v) => n + v, 0));
    expect(outcome.forwardPasses).toBe(want.forwardPasses);
    expect(outcome.provider).toBe('cpu');
    expect(outcome.model).toBe('model');
    expect(outcome.fallbackReason).toBeUndefined();
    expect(outcome.ms).toBeGreaterThan(0);
    expect(s.status()).toMatchObject({ loaded: true, provider: 'cpu' });

    // Progress once per completed grid row at most, against one total; one draft (this model decodes
    // one view), the decoded mask on the model's grid, before the answer.
    const counts = progress.filter((p) => !p.partial);
    expect(counts.length).toBeGreaterThan(1);
    expect(counts.length).toBeLessThanOrEqual(GRID + 1);
    let last = -1;
    for (const p of counts) {
      expect(p.total).toBe(GRID_TOKENS);
      expect(Math.floor(p.decoded / GRID)).toBeGreaterThan(Math.floor(last / GRID));
      last = p.decoded;
    }
    const drafts = progress.filter((p) => p.partial);
    expect(drafts).toHaveLength(1);
    const draft = unpackBits(drafts[0]?.partial as Uint8Array, PARTIAL_SIZE * PARTIAL_SIZE);
    expect(Buffer.from(draft).equals(Buffer.from(model.tokenizers.mask.decode(want.tokens).data))).toBe(true);
  });

  it('loads the model in the background before any prompt when asked to', async () => {
    const s = service();
    expect(s.status().loaded).toBe(false);
    s.preload();
    const started = Date.now();
    while (!s.status().loaded) {
      if (Date.now() - started > 60_000) throw new Error('the model did not load');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(s.status()).toMatchObject({ loaded: true, provider: 'cpu', modelDir });
    // The first prompt then finds it loaded and gives segment()'s answer.
    const outcome = await s.run({ frame, raster: false, prompt: 'left lung' });
    const want = await expected('left lung');
    expect(outcome.forwardPasses).toBe(want.forwardPasses);
  });

  it('cancels a running request, and a new request cancels the one before it', async () => {
    const s = shared;

    // Cancelled at its first partial: rejects as cancelled, and the worker goes on serving.
    let partials = 0;
    const cancelled = s.run(
      { frame, raster: false, prompt: 'right lung' },
      {
        onProgress: () => {
          partials++;
          s.cancel();
        },
      },
    );
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    expect(partials).toBe(1);
    expect(s.cancel()).toBe(false);

    // An aborted signal cancels too.
    const controller = new AbortController();
    const aborted = s.run({ frame, raster: false, prompt: 'both lungs' }, { signal: controller.signal });
    controller.abort();
    await expect(aborted).rejects.toMatchObject({ name: 'AbortError' });

    const first = s.run({ frame, raster: false, prompt: 'left lung' });
    const second = s.run({ frame, raster: false, prompt: 'both lungs' });
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    const outcome = await second;
    const want = await expected('both lungs');
    expect(
      Buffer.from(unpackBits(outcome.mask, outcome.width * outcome.height)).equals(Buffer.from(want.mask.data)),
    ).toBe(true);
  });

  it('reports a missing or broken model, an empty prompt and a colour image clearly, and keeps serving', async () => {
    const missing = join(dir, 'no-such-model');
    const s = shared;
    s.setModelDir(missing);
    expect(s.status()).toMatchObject({ modelDir: missing, loaded: false, provider: null });
    const input = { frame, raster: false, prompt: 'left lung' };
    await expect(s.run(input)).rejects.toThrow(`no model folder at ${missing}`);
    expect(s.status()).toMatchObject({ modelDir: missing, loaded: false });

    const broken = join(dir, 'broken-model');
    await mkdir(broken);
    await writeFile(join(broken, 'model.json'), '{"format": "something else"}');
    s.setModelDir(broken);
    await expect(s.run(input)).rejects.toThrow(`cannot load the model in ${broken}`);

    s.setModelDir(modelDir);
    await expect(s.run({ ...input, prompt: '   ' })).rejects.toThrow(/the prompt is empty/);
    await expect(s.run({ ...input, frame: { ...frame, color: true } })).rejects.toThrow(/colour/);
    const outcome = await s.run(input);
    expect(outcome.foreground).toBe((await expected('left lung')).mask.data.reduce((n, v) => n + v, 0));
    expect(s.status()).toMatchObject({ modelDir, loaded: true });
  });

  it('answers a box with the region model beside a text-only model, and text with the text model', async () => {
    const regionRoot = join(dir, 'region-model');
    await writeRandomModel(regionRoot, 5, 'argmax', TINY_REGION);
    const regionModelDir = join(regionRoot, 'region');
    await rename(join(regionRoot, 'model'), regionModelDir);
    const box = { x0: 200, y0: 300, x1: 700, y1: 900 };
    const input = { frame, raster: false, prompt: 'left lung' };
    await expect(shared.run({ ...input, box })).rejects.toThrow(/takes text only/);
    const missing = service({ regionModelDir: join(dir, 'no-region-model') });
    await expect(missing.run({ ...input, box })).rejects.toThrow(/takes text only/);

    const s = service({ regionModelDir });
    const region = await loadModel(regionModelDir, 1);
    const film = unitPlane(filmFromFrame(frame, false));
    const want = await segmentPointed(region, film, 'left lung', { box });
    const pointed = await s.run({ ...input, box });
    expect(pointed.model).toBe('region');
    expect(unpackBits(pointed.mask, frame.columns * frame.rows)).toEqual(want.mask.data);
    // Text stays the text model's, and the service's status names it.
    const text = await s.run(input);
    expect(text.model).toBe('model');
    expect(text.foreground).toBe((await expected('left lung')).mask.data.reduce((n, v) => n + v, 0));
    expect(s.status()).toMatchObject({ modelDir, loaded: true });
  }, 120_000);

  it('has the worker itself stop a request once the shared counter passes its id', async () => {
    const cancelBelow = new Int32Array(new SharedArrayBuffer(4));
    const worker = startSegmentWorker({ cancelBelow });
    const replies: WorkerReply[] = [];
    const config = { modelDir, executionProvider: 'cpu' as const, threads: 1 };
    const request = (id: number): WorkerRequest => ({
      type: 'run',
      id,
      config,
      frame,
      raster: false,
      prompt: 'left lung',
    });
    try {
      const finished = new Promise<void>((resolve) =>
        worker.on('message', (reply: WorkerReply) => {
          replies.push(reply);
          // Main's cancel: ids below 2 are cancelled, seen by the worker before its next pass.
          if (reply.type === 'progress') Atomics.store(cancelBelow, 0, 2);
          if (reply.type === 'error' || reply.type === 'done') resolve();
        }),
      );
      worker.postMessage(request(1));
      await finished;
      expect(replies.at(-1)).toEqual({ type: 'error', id: 1, message: 'segmentation cancelled', cancelled: true });
      // Stopped mid-decode: far fewer partial rows than a whole run streams.
      const rows = replies.filter((r) => r.type === 'progress').length;
      expect(rows).toBeGreaterThan(0);
      expect(rows).toBeLessThan(GRID - 2);
    } finally {
      await worker.terminate();
    }
  });

  it('fails the running request when its worker dies, and starts a new worker for the next', async () => {
    const s = shared;
    const input = { frame, raster: false, prompt: 'left lung' };
    await s.run(input);
    // A crash (a native abort, say) reaches main as the worker's 'exit' event, raised here by the test:
    // really terminating a thread inside an ORT run aborts the whole process (onnxruntime-node's async
    // run outlives the thread), so the old thread is stopped only after its run has ended.
    const internals = s as unknown as { worker: import('node:worker_threads').Worker };
    let old: import('node:worker_threads').Worker | undefined;
    let oldFinished: Promise<void> | undefined;
    const running = s.run(input, {
      onProgress: () => {
        if (old) return;
        old = internals.worker;
        const worker = old;
        oldFinished = new Promise<void>((resolve) =>
          worker.on('message', (m: { type: string }) => {
            if (m.type === 'done' || m.type === 'error') resolve();
          }),
        );
        worker.emit('exit', 1);
      },
    });
    await expect(running).rejects.toThrow(/the segmenter worker exited/);
    expect(s.status().loaded).toBe(false);
    await oldFinished;
    await old?.terminate();
    const outcome = await s.run(input);
    expect(internals.worker).not.toBe(old);
    expect(outcome.foreground).toBe((await expected('left lung')).mask.data.reduce((n, v) => n + v, 0));
  });

  it('closes while a request runs: the request is cancelled, the process survives, a later request works', async () => {
    const s = service();
    const input = { frame, raster: false, prompt: 'left lung' };
    let closing: Promise<void> | undefined;
    const running = s.run(input, {
      onProgress: () => {
        closing ??= s.close();
      },
    });
    await expect(running).rejects.toMatchObject({ name: 'AbortError' });
    await closing;
    const outcome = await s.run(input);
    expect(outcome.foreground).toBe((await expected('left lung')).mask.data.reduce((n, v) => n + v, 0));
  });

  it("falls back to the CPU from the platform's GPU provider and WebGPU, and says why", async () => {
    const s = service({ executionProvider: 'auto' });
    const outcome = await s.run({ frame, raster: false, prompt: 'left lung' });
    // This machine has no CUDA libraries (onnxruntime-node-install=skip) and no GPU adapter for WebGPU,
    // so auto tries both and ends on the CPU, saying why for each.
    expect(gpuProviders()).toEqual(['cuda', 'webgpu']);
    expect(outcome.provider).toBe('cpu');
    expect(outcome.fallbackReason).toMatch(/^cuda unavailable: .*; webgpu unavailable: /s);
    expect(s.status()).toMatchObject({ requested: 'auto', loaded: true, provider: 'cpu' });
    expect(s.status().fallbackReason).toBe(outcome.fallbackReason);
  });

  it("keeps main's event loop free while it segments", async () => {
    const input = inputFromFrame(frame, false);
    const size = { width: frame.columns, height: frame.rows };
    await segment(model, input, 'left lung', size); // warm, for a fair control
    const t0 = performance.now();
    const blocked = Math.max(...(await timerGaps(() => segment(model, input, 'left lung', size))));
    const segmentMs = performance.now() - t0;

    const s = shared;
    await s.run({ frame, raster: false, prompt: 'left lung' }); // worker started, model loaded
    const gaps = await timerGaps(() => s.run({ frame, raster: false, prompt: 'left lung' }));
    const again = await timerGaps(() => s.run({ frame, raster: false, prompt: 'left lung' }));

    // The control proves the measurement can fail: segmenting here stalls the timers for a good
    // part of the run (ORT's run() and the detokenizing resize block).
    expect(blocked).toBeGreaterThan(0.2 * segmentMs);
    // Judged loosely: other test files share the two cores and may deschedule this thread once in
    // a while, so the longest gap is the better of two runs (a real block shows in both).
    expect(gaps.length).toBeGreaterThan(10);
    expect(percentile(gaps, 0.9)).toBeLessThan(Math.max(10, blocked / 4));
    expect(Math.min(percentile(gaps, 1), percentile(again, 1))).toBeLessThan(Math.max(50, blocked / 2));
  }, 60_000);
});

describe('segmenterOptionsFromEnv', () => {
  it('reads the model folder, provider and threads, and refuses bad values', () => {
    const dirs = { text: 'models/base', region: 'models/region' };
    expect(segmenterOptionsFromEnv(dirs, {})).toEqual({
      modelDir: join(process.cwd(), 'models/base'),
      regionModelDir: join(process.cwd(), 'models/region'),
      executionProvider: 'auto',
    });
    expect(
      segmenterOptionsFromEnv(dirs, {
        NEXTMASK_MODEL_DIR: '/m',
        NEXTMASK_REGION_MODEL_DIR: '/r',
        NEXTMASK_EXECUTION_PROVIDER: 'cpu',
        NEXTMASK_THREADS: '2',
      }),
    ).toEqual({ modelDir: '/m', regionModelDir: '/r', executionProvider: 'cpu', threads: 2 });
    expect(() => segmenterOptionsFromEnv(dirs, { NEXTMASK_EXECUTION_PROVIDER: 'tpu' })).toThrow(/one of auto, cpu/);
    expect(() => segmenterOptionsFromEnv(dirs, { NEXTMASK_THREADS: '0' })).toThrow(/NEXTMASK_THREADS/);
  });
});

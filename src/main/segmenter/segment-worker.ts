// Worker-thread entry of the segmenter service (segment-client.ts is the caller's side): holds the model
// between requests, prepares the viewer's decoded frame as the CLI does (filmFromFrame), runs
// segment() through segmentStreaming, posts progress per completed grid row and a draft per view, and answers
// every request with a result or an error message; a failed request leaves the worker usable.
import { stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { packBits, unpackBits } from '../../shared/labelmap/bits';
import type { ProviderReport } from '../../shared/segment-types';
import { providersFor } from '../engine/execution-provider';
import { abortError } from '../errors';
import { modelInput, SAMPLE_SIZE, unitPlane } from '../imaging/model-input';
import { readPrompt } from '../prompt/reading';
import { GRID } from '../tokenizers/grid';
import { answerCoding, answerNotices } from './pipeline/answer-notices';
import { checkPointable, type PointedPrompt } from './pipeline/pointed';
import type { SegmentProgress } from './pipeline/segment';
import { IDENTITY_VIEW } from './pipeline/test-time-views';
import { filmFromFrame } from './prepare-input';
import { loadModel, releaseModel, type SegmentationModel } from './runtime/model-files';
import type { ModelConfig, SegmentOutcome, WorkerInit, WorkerReply, WorkerRequest } from './segment-client';
import { segmentStreaming } from './streaming';

/** A blank model input for warming the model up. */
const WARM_IMAGE = { width: SAMPLE_SIZE, height: SAMPLE_SIZE, data: new Float32Array(SAMPLE_SIZE * SAMPLE_SIZE) };

const port = parentPort;
if (!port) throw new Error('segment-worker.ts must run in a worker thread');
const { cancelBelow } = workerData as WorkerInit;

const post = (reply: WorkerReply, transfer: ArrayBuffer[] = []) => port.postMessage(reply, transfer);
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

interface Loaded {
  key: string;
  dir: string;
  model: SegmentationModel;
  report: ProviderReport;
}

/** What identifies a loaded model: the settings and the model files' change times (a retrained model reloads). */
async function keyOf(config: ModelConfig): Promise<string> {
  const times = await Promise.all(
    ['model.json', 'prefill.onnx', 'decode.onnx'].map((f) =>
      stat(join(config.modelDir, f)).then(
        (s) => s.mtimeMs,
        () => 0,
      ),
    ),
  );
  return JSON.stringify([config, times]);
}

const isDirectory = (dir: string) =>
  stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );

async function open(config: ModelConfig): Promise<Omit<Loaded, 'key'>> {
  const { modelDir: dir, threads } = config;
  if (!(await isDirectory(dir))) {
    throw new Error(
      `no model folder at ${dir}: train one (npm run train -- --config configs/<name>.json) and copy its model/ folder there, or set NEXTMASK_MODEL_DIR`,
    );
  }
  const wanted = providersFor(config.executionProvider);
  let model: SegmentationModel;
  try {
    model = await loadModel(dir, { executionProvider: wanted, ...(threads ? { threads } : {}) });
  } catch (err) {
    throw new Error(`cannot load the model in ${dir}: ${messageOf(err)}`);
  }
  const { provider, fallbackReason } = model;
  // ORT's own words on why a provider failed are for the log; results name the provider in a few words.
  if (fallbackReason) console.warn(`segmenter: running on ${provider}: ${fallbackReason}`);
  return { dir, model, report: { provider, ...(fallbackReason ? { fallbackReason } : {}) } };
}

/** One model held between requests, loaded again when its folder, settings or files change. */
function modelSlot(onChange: (reply: WorkerReply) => void = () => {}) {
  let loaded: Loaded | null = null;
  return async (config: ModelConfig): Promise<Loaded> => {
    const key = await keyOf(config);
    if (loaded?.key === key) return loaded;
    if (loaded) {
      await releaseModel(loaded.model);
      loaded = null;
      onChange({ type: 'model', loaded: false });
    }
    loaded = { key, ...(await open(config)) };
    onChange({ type: 'model', loaded: true, modelDir: config.modelDir, ...loaded.report });
    return loaded;
  };
}

/** The text model (the active version; its state is the service's status), and the region model beside it. */
const textModel = modelSlot(post);
const regionModel = modelSlot();

/**
 * The model that answers a box or clicks: the text model when it has a region part of its own, else the
 * region model when one is installed (else the text model, whose refusal says what is missing).
 */
async function pointingModel(text: Loaded, config: ModelConfig): Promise<Loaded> {
  const dir = config.regionModelDir;
  if (text.model.layout.regionSlots > 0 || !dir || !(await isDirectory(dir))) return text;
  return regionModel({ ...config, modelDir: dir });
}

async function run(request: Extract<WorkerRequest, { type: 'run' }>): Promise<void> {
  const { id, frame, raster } = request;
  const cancelled = () => id < Atomics.load(cancelBelow, 0);
  const started = performance.now();
  try {
    if (cancelled()) throw abortError();
    const prompt = request.prompt.trim();
    const where = pointedOf(request);
    if (!prompt && !where) throw new Error('the prompt is empty: say what to segment, e.g. "left lung"');
    // Cheap checks (colour, prompt, modality) before the model loads.
    const film = unitPlane(filmFromFrame(frame, raster));
    const image = modelInput(film);
    if (where) checkPointable(request.modality);
    const text = await textModel(request.config);
    const { dir, model, report } = where ? await pointingModel(text, request.config) : text;
    const reading = readPrompt(prompt);
    let rows = -1;
    let last: SegmentProgress = { decoded: 0, total: 0, retry: false };
    const result = await segmentStreaming(
      model,
      image,
      reading,
      { width: frame.columns, height: frame.rows },
      {
        cancelled,
        ...(where ? { pointed: { film, ...where, ...(model !== text.model ? { textModel: text.model } : {}) } } : {}),
        onProgress: (progress) => {
          last = progress;
          // Once per completed grid row (of any decode): enough for a bar, few messages.
          if (Math.floor(progress.decoded / GRID) === rows) return;
          rows = Math.floor(progress.decoded / GRID);
          post({ type: 'progress', id, ...progress });
        },
        onDraft: (draft) => {
          const partial = packBits(draft.data);
          post({ type: 'progress', id, ...last, partial }, [partial.buffer as ArrayBuffer]);
        },
      },
    );
    const { mask } = result;
    const doubts = answerNotices({
      ...result,
      reading,
      ...(request.modality ? { modality: request.modality } : {}),
      ...(request.bodyPart ? { bodyPart: request.bodyPart } : {}),
    });
    let foreground = 0;
    for (const v of mask.data) foreground += v;
    const outcome: SegmentOutcome = {
      width: mask.width,
      height: mask.height,
      mask: packBits(mask.data),
      foreground,
      forwardPasses: result.forwardPasses,
      threshold: result.threshold,
      cut: result.cut,
      gated: result.gated,
      confidence: result.confidence,
      uncertainty: result.uncertainty,
      coding: answerCoding(reading, request.modality),
      ...doubts,
      model: basename(dir),
      ms: Math.round(performance.now() - started),
      ...report,
    };
    const transfer = [outcome.mask, ...(outcome.uncertainty ? [outcome.uncertainty] : [])];
    post(
      { type: 'done', id, ...outcome },
      transfer.map((bytes) => bytes.buffer as ArrayBuffer),
    );
  } catch (err) {
    post({ type: 'error', id, message: messageOf(err), cancelled: cancelled() });
  }
}

/** The request's box, clicks and previous mask as segmentPointed takes them, or null for text alone. */
function pointedOf(request: Extract<WorkerRequest, { type: 'run' }>): PointedPrompt | null {
  const { box, clicks = [], previous, frame } = request;
  if (!box && clicks.length === 0) return null;
  const size = frame.columns * frame.rows;
  if (previous && previous.length !== Math.ceil(size / 8))
    throw new Error('the previous mask is not the size of the frame');
  return {
    ...(box ? { box } : {}),
    clicks,
    ...(previous ? { previous: { width: frame.columns, height: frame.rows, data: unpackBits(previous, size) } } : {}),
  };
}

/** The model loaded and warmed: its first runs (and the text tokenizer's first use) cost the most. */
async function preload(config: ModelConfig): Promise<void> {
  try {
    const { model } = await textModel(config);
    await segmentStreaming(model, WARM_IMAGE, 'both lungs', WARM_IMAGE, { views: [IDENTITY_VIEW], fallback: [] });
  } catch {
    // Reported by the first prompt, which loads again.
  }
}

// One request at a time, in arrival order; a superseded one stops at its next forward pass.
let queue = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  queue = queue.then(() => (request.type === 'load' ? preload(request.config) : run(request)));
});

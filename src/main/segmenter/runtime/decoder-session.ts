// DecoderSessions (src/main/segmenter/runtime/decoding.ts) over the prefill and decode-step ONNX models,
// as rows of one batch: each row's `extend` waits until every row still decoding has asked, then all run
// as one graph call (one row's decode is the batch of one). A row's first `extend` takes the prompt (image
// ids position-major, then the text and region ids and the prior, as `promptIds` builds it) and runs prefill; later calls run
// one decode step over the cached prefix. Rows accept their own share of each speculative draft, so each
// feeds its own tokens, positions and mask; a step feeds every row the shortest draft asked for (longer
// ones cut there), and rows that have left are fed padding. `length` counts sequence
// positions (an image position is one, whatever its number of levels).
import type * as ort from 'onnxruntime-node';
import type { ExecutionProviderName } from '../../../shared/segment-types';
import {
  GRID_TOKENS,
  imageIds,
  positionPairs,
  type RegionPrompt,
  regionIds,
  type TokenLayout,
  textIds,
} from '../../../shared/tokens';
import { hostTensor, openSession, type SessionOptions } from '../../engine/session';
import { type ArchitectureConfig, layoutOf } from '../../model/config';
import { kvName, pastName } from '../../model/inference';
import type { DecoderSession, HeadLogits } from './decoding';
import { KvCache } from './kv-cache';

export interface DecoderModels {
  prefill: ort.InferenceSession;
  decode: ort.InferenceSession;
  layout: TokenLayout;
  layers: number;
  width: number;
  heads: number;
  /** The provider both graphs run on ('cpu' if either fell back), and why the requested one is not used. */
  provider: ExecutionProviderName;
  fallbackReason?: string;
}

const PREFILL_INPUTS = ['image', 'text'];
const decodeInputs = (layers: number) => ['tokens', 'position_a', 'position_b', 'mask', ...kvNames(pastName, layers)];
const kvNames = (name: typeof kvName, layers: number) =>
  Array.from({ length: layers }, (_, l) => [name('keys', l), name('values', l)]).flat();

/**
 * Why a graph is not the one its role feeds and reads (a swapped or foreign file that onnxruntime
 * opens happily would otherwise fail at the first prompt, in onnxruntime's words); undefined if it is.
 */
function graphProblem(
  role: string,
  session: ort.InferenceSession,
  inputs: string[],
  layers: number,
): string | undefined {
  const missing = [
    ...inputs.filter((n) => !session.inputNames.includes(n)),
    ...['logits', ...kvNames(kvName, layers)].filter((n) => !session.outputNames.includes(n)),
  ];
  if (missing.length === 0) return undefined;
  const listed = missing.length > 4 ? `${missing.slice(0, 4).join(', ')}, …` : missing.join(', ');
  return `the ${role} graph lacks ${listed} (it takes ${session.inputNames.join(', ')})`;
}

/** Opens the prefill and decode-step graphs (bytes, e.g. from a model folder) as what a KvDecoderSession runs on. */
export async function openDecoderModels(
  arch: ArchitectureConfig,
  graphs: { prefill: Uint8Array; decode: Uint8Array },
  options: SessionOptions = {},
): Promise<DecoderModels> {
  const [prefill, decode] = await Promise.all([
    openSession(graphs.prefill, options),
    openSession(graphs.decode, options),
  ]);
  const wrong = [
    graphProblem('prefill', prefill.session, PREFILL_INPUTS, arch.layers),
    graphProblem('decode', decode.session, decodeInputs(arch.layers), arch.layers),
  ].filter((problem) => problem !== undefined);
  if (wrong.length > 0) {
    await Promise.all([prefill.session.release(), decode.session.release()]);
    throw new Error(wrong.join('; '));
  }
  const mask = decode.session.inputMetadata.find((m) => m.name === 'mask');
  if (mask?.isTensor && mask.shape.length !== 3) {
    await Promise.all([prefill.session.release(), decode.session.release()]);
    throw new Error(
      'its decode graph takes one row at a time (exported before batched views): export it again with `nextmask export <model folder> --out <new folder>`',
    );
  }
  let provider = prefill.provider;
  let fallbackReason = prefill.fallbackReason ?? decode.fallbackReason;
  if (prefill.provider !== decode.provider) {
    // Graphs on different devices would copy the KV cache across every step: run both on the CPU.
    const onGpu = [prefill.provider, decode.provider].filter((p) => p !== 'cpu').join(' and ');
    for (const [opened, bytes] of [
      [prefill, graphs.prefill],
      [decode, graphs.decode],
    ] as const) {
      if (opened.provider === 'cpu') continue;
      await opened.session.release();
      opened.session = (await openSession(bytes, { ...options, executionProvider: 'cpu' })).session;
    }
    provider = 'cpu';
    fallbackReason ??= `${onGpu} ran only one of the two graphs`;
  }
  return {
    prefill: prefill.session,
    decode: decode.session,
    layout: layoutOf(arch),
    layers: arch.layers,
    width: arch.width,
    heads: arch.predictHeads,
    provider,
    ...(fallbackReason ? { fallbackReason } : {}),
  };
}

/** The prompt for image tokens (level-major, as the image tokenizer gives them) and compact text ids. */
export function promptIds(
  layout: TokenLayout,
  imageTokens: ArrayLike<number>,
  text: ArrayLike<number>,
  region: RegionPrompt = {},
  prior: ArrayLike<number> | null = null,
): Int32Array {
  const image = imageIds(layout, imageTokens);
  const out = new Int32Array(image.length + layout.promptTokens + layout.priorTokens);
  out.set(image);
  out.set(textIds(layout, text), image.length);
  out.set(regionIds(layout, region), image.length + layout.maxText);
  if (prior && layout.priorTokens === 0) throw new Error('this model takes no previous answer');
  if (prior) out.set(prior, image.length + layout.promptTokens);
  return out;
}

const toInt64 = (ids: ArrayLike<number>) => BigInt64Array.from(Array.from(ids), (v) => BigInt(v));
const MASKED = -1e9;

interface Request {
  tokens: Int32Array;
  resolve: (logits: HeadLogits) => void;
  reject: (error: unknown) => void;
}

/** Rows decoding together: one KV cache, one graph call per step for every row still decoding. */
class KvBatch {
  private readonly cache: KvCache;
  private readonly open: boolean[];
  private readonly pending = new Map<number, Request>();

  constructor(
    private readonly models: DecoderModels,
    readonly rows: number,
  ) {
    const { layout } = models;
    this.cache = new KvCache(models.layers, models.width, layout.prefix + layout.outputs, rows);
    this.open = new Array<boolean>(rows).fill(true);
  }

  session(row: number): DecoderSession {
    const { cache, models } = this;
    return {
      get length() {
        return cache.lengthOf(row);
      },
      truncate: (length) => {
        if (length < models.layout.prefix) throw new Error('cannot truncate into the prompt');
        cache.truncate(length, row);
      },
      extend: (tokens) => this.request(row, tokens),
      close: () => {
        this.open[row] = false;
        cache.truncate(0, row); // its positions no longer widen the others' prefix
        this.runWhenAllAsked();
      },
    };
  }

  private request(row: number, tokens: Int32Array): Promise<HeadLogits> {
    const { layout } = this.models;
    if (!this.open[row]) return Promise.reject(new Error(`row ${row} has left the batch`));
    if (this.cache.lengthOf(row) === 0) {
      const expected = GRID_TOKENS * layout.imageLevels + layout.promptTokens + layout.priorTokens;
      if (tokens.length !== expected) {
        const message = `the prompt must hold ${GRID_TOKENS * layout.imageLevels} image, ${layout.promptTokens} text and region, and ${layout.priorTokens} prior ids, got ${tokens.length}`;
        return Promise.reject(new Error(message));
      }
    } else {
      if (tokens.length === 0) return Promise.reject(new Error('extend needs at least one token'));
      for (const t of tokens)
        if (!(t >= 0 && t < layout.outputVocab))
          return Promise.reject(new Error(`token ${t} is not a mask code or EOS`));
    }
    return new Promise((resolve, reject) => {
      this.pending.set(row, { tokens, resolve, reject });
      this.runWhenAllAsked();
    });
  }

  private runWhenAllAsked(): void {
    const waiting = this.open.filter(Boolean).length;
    if (this.pending.size === 0 || this.pending.size < waiting) return;
    const asked = new Map(this.pending);
    this.pending.clear();
    const prefill = [...asked.keys()].every((r) => this.cache.lengthOf(r) === 0);
    const run = prefill ? this.prefill(asked) : this.step(asked);
    run.catch((error: unknown) => {
      for (const request of asked.values()) request.reject(error);
    });
  }

  private async prefill(asked: Map<number, Request>): Promise<void> {
    const { layout, heads } = this.models;
    const imageLength = GRID_TOKENS * layout.imageLevels;
    const prompts = Array.from({ length: this.rows }, (_, r) => (asked.get(r) ?? [...asked.values()][0])?.tokens);
    const image = new BigInt64Array(this.rows * imageLength);
    const { promptTokens: T, priorTokens: P } = layout;
    const text = new BigInt64Array(this.rows * T);
    const prior = new BigInt64Array(this.rows * P);
    prompts.forEach((prompt, r) => {
      if (!prompt || prompt.length !== imageLength + T + P) throw new Error('rows must all start together');
      image.set(toInt64(prompt.subarray(0, imageLength)), r * imageLength);
      text.set(toInt64(prompt.subarray(imageLength, imageLength + T)), r * T);
      prior.set(toInt64(prompt.subarray(imageLength + T)), r * P);
    });
    const out = await this.models.prefill.run({
      image: hostTensor(image, [this.rows, GRID_TOKENS, layout.imageLevels]),
      text: hostTensor(text, [this.rows, T]),
      ...(P > 0 ? { prior: hostTensor(prior, [this.rows, P]) } : {}),
    });
    const row = heads * layout.outputVocab;
    const logits = out.logits?.data as Float32Array;
    this.append(out, asked.keys(), layout.prefix, layout.prefix);
    for (const [r, request] of asked) {
      request.resolve({
        positions: 1,
        heads,
        vocab: layout.outputVocab,
        data: logits.subarray(r * row, (r + 1) * row),
      });
    }
  }

  private async step(asked: Map<number, Request>): Promise<void> {
    const { layout, heads, width, layers } = this.models;
    const { rows, cache } = this;
    // Every row feeds the shortest asked length: the longer drafts are cut there (fewer tokens accepted
    // this step, the same tokens in the end) rather than the others padded to the longest, since a padded
    // position costs as much as a real one (docs/BENCHMARKS.md, "Batched views").
    const n = Math.min(...[...asked.values()].map((q) => q.tokens.length));
    const past = cache.length;
    const tokens = new BigInt64Array(rows * n);
    const a = new BigInt64Array(rows * n);
    const b = new BigInt64Array(rows * n);
    const mask = new Float32Array(rows * n * (past + n)).fill(MASKED);
    // A row that has left is fed padding (mask code 0) at the first output position, attending to itself only.
    const pad = positionPairs(layout, layout.prefix, layout.prefix + n).map((p) => p.fill(p[0] as number));
    for (let r = 0; r < rows; r++) {
      const request = asked.get(r);
      const own = request ? cache.lengthOf(r) : 0;
      const [ra, rb] = request ? positionPairs(layout, own, own + n) : (pad as [Int32Array, Int32Array]);
      for (let i = 0; i < n; i++) {
        const at = r * n + i;
        tokens[at] = BigInt(request?.tokens[i] ?? 0);
        a[at] = BigInt(ra[i] as number);
        b[at] = BigInt(rb[i] as number);
        const line = at * (past + n);
        mask.fill(0, line, line + own);
        mask.fill(0, line + past, line + past + i + 1);
      }
    }
    const feeds: Record<string, ort.Tensor> = {
      tokens: hostTensor(tokens, [rows, n]),
      position_a: hostTensor(a, [rows, n]),
      position_b: hostTensor(b, [rows, n]),
      mask: hostTensor(mask, [rows, n, past + n]),
    };
    for (let l = 0; l < layers; l++) {
      const { keys, values } = cache.prefix(l);
      feeds[pastName('keys', l)] = hostTensor(keys, [past, rows, width]);
      feeds[pastName('values', l)] = hostTensor(values, [past, rows, width]);
    }
    const out = await this.models.decode.run(feeds);
    const row = heads * layout.outputVocab;
    const logits = out.logits?.data as Float32Array;
    this.append(out, asked.keys(), n, n);
    for (const [r, request] of asked) {
      request.resolve({
        positions: n,
        heads,
        vocab: layout.outputVocab,
        data: logits.subarray(r * n * row, (r + 1) * n * row),
      });
    }
  }

  /** Appends the first `positions` of each row's keys/values in an output of `stride` positions per row. */
  private append(
    out: ort.InferenceSession.ReturnType,
    rows: Iterable<number>,
    positions: number,
    stride: number,
  ): void {
    const { layers, width } = this.models;
    const keys = Array.from({ length: layers }, (_, l) => out[kvName('keys', l)]?.data as Float32Array);
    const values = Array.from({ length: layers }, (_, l) => out[kvName('values', l)]?.data as Float32Array);
    for (const r of rows) this.cache.append(positions, keys, values, r, r * stride * width);
  }
}

/** `rows` decoder sessions that decode as one batch (see KvBatch); close each when its decode ends. */
export function kvRows(models: DecoderModels, rows: number): DecoderSession[] {
  const batch = new KvBatch(models, rows);
  return Array.from({ length: rows }, (_, r) => batch.session(r));
}

/** One decode over the KV cache: a batch of one row. */
export class KvDecoderSession implements DecoderSession {
  private readonly row: DecoderSession;

  constructor(models: DecoderModels) {
    this.row = kvRows(models, 1)[0] as DecoderSession;
  }

  get length(): number {
    return this.row.length;
  }

  truncate(length: number): void {
    this.row.truncate(length);
  }

  extend(tokens: Int32Array): Promise<HeadLogits> {
    return this.row.extend(tokens);
  }
}

// A DecoderSession (src/main/segmenter/runtime/decoding.ts) over the prefill and decode-step ONNX models. The
// first `extend` takes the prompt (image ids position-major, then maxText text ids, as `promptIds`
// builds it) and runs prefill; later calls run one decode step over the cached prefix. `length` counts
// sequence positions (an image position is one, whatever its number of levels).
import type * as ort from 'onnxruntime-node';
import { GRID_TOKENS, imageIds, positionPairs, type TokenLayout, textIds } from '../../../shared/tokens';
import { type ExecutionProvider, hostTensor, openSession, type SessionOptions } from '../../engine/session';
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
  provider: ExecutionProvider;
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
export function promptIds(layout: TokenLayout, imageTokens: ArrayLike<number>, text: ArrayLike<number>): Int32Array {
  const image = imageIds(layout, imageTokens);
  const out = new Int32Array(image.length + layout.maxText);
  out.set(image);
  out.set(textIds(layout, text), image.length);
  return out;
}

const toInt64 = (ids: ArrayLike<number>) => BigInt64Array.from(Array.from(ids), (v) => BigInt(v));

export class KvDecoderSession implements DecoderSession {
  private readonly cache: KvCache;

  constructor(private readonly models: DecoderModels) {
    this.cache = new KvCache(models.layers, models.width, models.layout.prefix + models.layout.outputs);
  }

  get length(): number {
    return this.cache.length;
  }

  truncate(length: number): void {
    if (length < this.models.layout.prefix) throw new Error('cannot truncate into the prompt');
    this.cache.truncate(length);
  }

  async extend(tokens: Int32Array): Promise<HeadLogits> {
    const { layout } = this.models;
    if (this.cache.length === 0) return this.prefill(tokens);
    const past = this.cache.length;
    const n = tokens.length;
    if (n === 0) throw new Error('extend needs at least one token');
    for (const t of tokens)
      if (!(t >= 0 && t < layout.outputVocab)) throw new Error(`token ${t} is not a mask code or EOS`);
    const [a, b] = positionPairs(layout, past, past + n);
    const mask = new Float32Array(n * (past + n));
    for (let i = 0; i < n; i++) mask.fill(-1e9, i * (past + n) + past + i + 1, (i + 1) * (past + n));
    const feeds: Record<string, ort.Tensor> = {
      tokens: hostTensor(toInt64(tokens), [1, n]),
      position_a: hostTensor(toInt64(a), [n]),
      position_b: hostTensor(toInt64(b), [n]),
      mask: hostTensor(mask, [n, past + n]),
    };
    for (let l = 0; l < this.models.layers; l++) {
      const { keys, values } = this.cache.prefix(l);
      feeds[pastName('keys', l)] = hostTensor(keys, [1, past, this.models.width]);
      feeds[pastName('values', l)] = hostTensor(values, [1, past, this.models.width]);
    }
    return this.collect(await this.models.decode.run(feeds), n);
  }

  private async prefill(prompt: Int32Array): Promise<HeadLogits> {
    const { layout } = this.models;
    const imageLength = GRID_TOKENS * layout.imageLevels;
    if (prompt.length !== imageLength + layout.maxText) {
      throw new Error(`the prompt must hold ${imageLength} image and ${layout.maxText} text ids, got ${prompt.length}`);
    }
    const out = await this.models.prefill.run({
      image: hostTensor(toInt64(prompt.subarray(0, imageLength)), [1, GRID_TOKENS, layout.imageLevels]),
      text: hostTensor(toInt64(prompt.subarray(imageLength)), [1, layout.maxText]),
    });
    return this.collect(out, layout.prefix, 1);
  }

  /** Appends `added` positions of keys/values and returns the logits of the last `positions`. */
  private collect(out: ort.InferenceSession.ReturnType, added: number, positions = added): HeadLogits {
    const keys = Array.from({ length: this.models.layers }, (_, l) => out[kvName('keys', l)]?.data as Float32Array);
    const values = Array.from({ length: this.models.layers }, (_, l) => out[kvName('values', l)]?.data as Float32Array);
    this.cache.append(added, keys, values);
    const data = out.logits?.data as Float32Array;
    return { positions, heads: this.models.heads, vocab: this.models.layout.outputVocab, data };
  }
}

// segment() with streamed tokens and cancellation between forward passes, without a second copy of
// it: the model's ORT sessions are wrapped so that each pass first polls `cancelled` and, for a
// decode step, reports the mask tokens that are final. A decode step's cached prefix ends where
// speculative decoding kept its verified tokens, so every token fed before that position is final
// (rejected drafts sit after it and are fed again). The result is segment()'s own.
// (If segment() takes an onTokens option one day, this wrapper reduces to passing it through.)
import type * as ort from 'onnxruntime-node';
import { GRID_TOKENS } from '../../shared/tokens';
import type { Plane } from '../data/resample';
import type { SegmentationModel } from '../model/model-files';
import { type Segmentation, type SegmentOptions, segment } from '../model/segment';

export interface StreamOptions extends Omit<SegmentOptions, 'signal'> {
  /** Polled before every forward pass (image encoder, prefill, each decode step); true stops the run. */
  cancelled?: () => boolean;
  /** The mask tokens (row-major over the 16x16 grid) final so far, each time there are more. */
  onTokens?: (tokens: Int32Array) => void;
}

/** What a cancelled run rejects with (the IPC dispatcher reports the name as 'cancelled'). */
export function abortError(message = 'segmentation cancelled'): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}

type Feeds = Record<string, ort.Tensor>;
type Run = (feeds: Feeds, ...rest: unknown[]) => Promise<ort.InferenceSession.ReturnType>;

/** The session, with `before(feeds)` called ahead of every run. */
function watched(session: ort.InferenceSession, before: (feeds: Feeds) => void): ort.InferenceSession {
  const run: Run = (feeds, ...rest) => {
    before(feeds);
    return (session.run as Run).call(session, feeds, ...rest);
  };
  return new Proxy(session, {
    get: (target, key) => {
      if (key === 'run') return run;
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export async function segmentStreaming(
  model: SegmentationModel,
  image: Plane<Float32Array>,
  text: string,
  size: { width: number; height: number },
  options: StreamOptions = {},
): Promise<Segmentation> {
  const { cancelled = () => false, onTokens, ...rest } = options;
  const check = () => {
    if (cancelled()) throw abortError();
  };
  const { prefix } = model.layout;
  const fed = new Int32Array(model.layout.outputs);
  let final = 0;
  const decode = watched(model.decode, (feeds) => {
    check();
    const tokens = feeds.tokens as ort.Tensor;
    const n = tokens.dims[1] as number;
    // mask is [n, past + n]: the positions before `past` are cached, hence verified.
    const start = ((feeds.mask as ort.Tensor).dims[1] as number) - n - prefix;
    const verified = Math.min(start, GRID_TOKENS);
    if (verified > final) {
      final = verified;
      onTokens?.(fed.subarray(0, final));
    }
    const ids = tokens.data as BigInt64Array;
    for (let i = 0; i < n && start + i < fed.length; i++) fed[start + i] = Number(ids[i]);
  });
  const wrapped: SegmentationModel = {
    ...model,
    prefill: watched(model.prefill, check),
    decode,
    tokenizers: { ...model.tokenizers, imageEncoder: watched(model.tokenizers.imageEncoder, check) },
  };
  return segment(wrapped, image, text, size, rest);
}

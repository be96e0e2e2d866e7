// segment() with streamed tokens and cancellation between forward passes: its `decode` option runs
// the decoding with the onTokens hook (tokens are final once reported) over the session with a
// cancel check before every pass. The result is segment()'s own. Under test-time views the first
// view's tokens stream; the later views, the lung gate's decode, any lower-threshold retry and the
// zoomed look's decodes only advance the progress.
import { GRID_TOKENS } from '../../shared/tokens';
import type { Plane } from '../data/resample';
import type { SegmentationModel } from '../model/model-files';
import { type Segmentation, type SegmentOptions, segment } from '../model/segment';
import { type DecoderSession, speculativeDecode } from './decoding';

export interface StreamOptions extends Omit<SegmentOptions, 'signal'> {
  /** Polled before the run and before every decoder pass (prefill, each decode step); true stops it. */
  cancelled?: () => boolean;
  /**
   * The first decode's mask tokens (row-major over the 16x16 grid) final so far, and the mask tokens
   * decoded by all decodes so far out of those planned; called whenever `decoded` grows.
   */
  onTokens?: (tokens: Int32Array, progress: { decoded: number; total: number }) => void;
}

/** What a cancelled run rejects with (the IPC dispatcher reports the name as 'cancelled'). */
export function abortError(message = 'segmentation cancelled'): Error {
  const error = new Error(message);
  error.name = 'AbortError';
  return error;
}

/** `session` with `check()` before every pass. */
function checked(session: DecoderSession, check: () => void): DecoderSession {
  return {
    get length() {
      return session.length;
    },
    extend: (tokens) => {
      check();
      return session.extend(tokens);
    },
    truncate: (length) => session.truncate(length),
  };
}

export async function segmentStreaming(
  model: SegmentationModel,
  image: Plane<Float32Array>,
  text: string,
  size: { width: number; height: number },
  options: StreamOptions = {},
): Promise<Segmentation> {
  const { cancelled = () => false, onTokens, decode = speculativeDecode, ...rest } = options;
  const check = () => {
    if (cancelled()) throw abortError();
  };
  const final = new Int32Array(model.layout.outputs);
  let firstDecoded = 0;
  let decodeIndex = 0;
  let planned = 1;
  let decoded = 0;
  const streamed: typeof speculativeDecode = (session, prompt, decodeOptions) =>
    decode(checked(session, check), prompt, {
      ...decodeOptions,
      onTokens: (tokens, produced) => {
        decodeOptions.onTokens?.(tokens, produced);
        // The step after the grid is EOS: not a mask token.
        const masked = Math.min(produced, GRID_TOKENS);
        if (decodeIndex === 0) {
          final.set(tokens, produced - tokens.length);
          firstDecoded = masked;
        }
        const now = decodeIndex * GRID_TOKENS + masked;
        if (now <= decoded) return;
        decoded = now;
        // A lower-threshold retry plans another round of views.
        onTokens?.(final.subarray(0, firstDecoded), { decoded, total: planned * GRID_TOKENS });
      },
    });
  check();
  return segment(model, image, text, size, {
    ...rest,
    decode: streamed,
    onDecode: (index, plannedSoFar) => {
      decodeIndex = index;
      planned = plannedSoFar;
      rest.onDecode?.(index, plannedSoFar);
    },
  });
}

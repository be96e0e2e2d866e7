// segment() as the app runs it: cancellation between forward passes (a check before every pass of every
// decode), progress as mask tokens are decoded, and drafts of the answer as the views land. The result is
// segment()'s own.
import { abortError } from '../errors';
import type { Plane } from '../imaging/resample';
import { type Segmentation, type SegmentOptions, segment } from './pipeline/segment';
import { kvRows } from './runtime/decoder-session';
import type { DecoderSession } from './runtime/decoding';
import type { SegmentationModel } from './runtime/model-files';

export interface StreamOptions extends Omit<SegmentOptions, 'signal' | 'decoding'> {
  /** Polled before the run and before every decoder pass (prefill, each decode step); true stops it. */
  cancelled?: () => boolean;
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
    close: () => session.close?.(),
  };
}

export async function segmentStreaming(
  model: SegmentationModel,
  image: Plane<Float32Array>,
  text: string,
  size: { width: number; height: number },
  options: StreamOptions = {},
): Promise<Segmentation> {
  const { cancelled = () => false, ...rest } = options;
  const check = () => {
    if (cancelled()) throw abortError();
  };
  check();
  return segment(model, image, text, size, {
    ...rest,
    decoding: { sessions: (m, rows) => kvRows(m, rows).map((row) => checked(row, check)) },
  });
}

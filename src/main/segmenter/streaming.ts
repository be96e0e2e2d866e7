// segment() (or, for a box or clicks, segmentPointed()) as the app runs it: cancellation between forward
// passes (a check before every pass of every decode), progress as mask tokens are decoded, and drafts of
// the answer as the views land. The result is segment()'s own.
import { abortError } from '../errors';
import type { Plane } from '../imaging/resample';
import type { PromptReading } from '../prompt/reading';
import { type PointedPrompt, segmentPointed } from './pipeline/pointed';
import { type Segmentation, type SegmentOptions, segment } from './pipeline/segment';
import { type DecoderModels, kvRows } from './runtime/decoder-session';
import type { DecoderSession } from './runtime/decoding';
import type { SegmentationModel } from './runtime/model-files';

export interface StreamOptions extends Omit<SegmentOptions, 'signal' | 'decoding'> {
  /** Polled before the run and before every decoder pass (prefill, each decode step); true stops it. */
  cancelled?: () => boolean;
  /**
   * A box or clicks on `film` (grey in [0, 1] at the source size): decoded zoomed (pipeline/pointed.ts);
   * `textModel`: the text model beside the region model, for a chest box on the whole film.
   */
  pointed?: PointedPrompt & { film: Plane<Float32Array>; textModel?: SegmentationModel };
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
  prompt: string | PromptReading,
  size: { width: number; height: number },
  options: StreamOptions = {},
): Promise<Segmentation> {
  const { cancelled = () => false, pointed, ...rest } = options;
  const check = () => {
    if (cancelled()) throw abortError();
  };
  check();
  const run = {
    ...rest,
    decoding: { sessions: (m: DecoderModels, rows: number) => kvRows(m, rows).map((row) => checked(row, check)) },
  };
  if (pointed) {
    const { film, textModel, ...where } = pointed;
    return segmentPointed(model, film, prompt, where, { ...run, ...(textModel ? { textModel } : {}) });
  }
  return segment(model, image, prompt, size, run);
}

// The segment:* channels: a prompt on a frame the viewer shows (its cached decoded pixels go to the
// segmenter's worker), cancellation by request id, the segmenter's status, and what a prompt is read
// as (no model: the prompt box asks it as the clinician types). Partial masks go out as segment:progress
// events. The newest request wins: its arrival cancels any other still running, even one still waiting
// for its frame.

import { abortError, isAbortError, UserFacingError } from '../errors';
import { readPrompt } from '../prompt/reading';
import { shownReading } from '../prompt/shown-reading';
import type { AppServices, HandlerTable } from './handler-types';
import { runningRequests } from './running-requests';

type SegmentChannel = 'segment:run' | 'segment:cancel' | 'segment:status' | 'segment:read';

export function segmentHandlers(
  services: Pick<AppServices, 'images' | 'segmenter' | 'events'>,
): Pick<HandlerTable, SegmentChannel> {
  const running = runningRequests();
  return {
    'segment:run': async ({ seriesId, index, prompt, requestId, box, clicks, previous }, ctx) => {
      if (running.has(requestId)) throw new UserFacingError(`segment request ${requestId} is already running`);
      running.abortAll();
      return running.run(requestId, ctx.signal, async (signal) => {
        const pointed = box !== undefined || (clicks?.length ?? 0) > 0;
        if (!prompt.trim() && !pointed)
          throw new UserFacingError('the prompt is empty: say what to segment, e.g. "left lung", or draw a box');
        const series = services.images.list().find((s) => s.id === seriesId);
        const raster = series?.kind === 'raster';
        const { frame } = await services.images.frame(seriesId, index);
        if (signal.aborted) throw abortError();
        const outcome = await services.segmenter
          .run(
            {
              frame,
              raster,
              prompt,
              ...(series && !raster ? { modality: series.modality, bodyPart: series.bodyPart } : {}),
              ...(box ? { box } : {}),
              ...(clicks?.length ? { clicks } : {}),
              ...(previous ? { previous } : {}),
            },
            {
              signal,
              onProgress: (progress) => services.events.emit('segment:progress', { requestId, ...progress }),
            },
          )
          .catch((err: unknown) => {
            // The worker's messages (missing model, colour image…) are meant for the user.
            if (err instanceof Error && !isAbortError(err)) throw new UserFacingError(err.message);
            throw err;
          });
        return { requestId, ...outcome };
      });
    },
    'segment:cancel': ({ requestId }) => running.cancel(requestId),
    'segment:status': () => services.segmenter.status(),
    'segment:read': ({ prompt }) => shownReading(readPrompt(prompt)),
  };
}

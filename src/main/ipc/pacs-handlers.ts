// The pacs:* channels: connections (the secret goes in, never comes out), QIDO-RS search, a WADO-RS
// retrieve per request id with its progress as pacs:progress events and cancel by id, and the
// STOW-RS send-back of a series' saved segments with its outbox.
import type { AppServices, HandlerTable } from './handlers';

type PacsChannel = Extract<keyof HandlerTable, `pacs:${string}`>;

export function pacsHandlers(services: Pick<AppServices, 'pacs' | 'events'>): Pick<HandlerTable, PacsChannel> {
  const { pacs, events } = services;
  const running = new Map<string, AbortController>();
  return {
    'pacs:connections': () => pacs.list(),
    'pacs:save-connection': ({ connection, secret }) => pacs.save(connection, secret),
    'pacs:delete-connection': ({ name }) => pacs.remove(name),
    'pacs:test': ({ connection, secret }, ctx) => pacs.test(connection, ctx.signal, secret),
    'pacs:studies': ({ name, query }, ctx) => pacs.studies(name, query, ctx.signal),
    'pacs:series': ({ name, studyInstanceUid }, ctx) => pacs.series(name, studyInstanceUid, ctx.signal),
    'pacs:retrieve': async ({ name, studyInstanceUid, seriesInstanceUid, requestId }, ctx) => {
      const controller = new AbortController();
      running.get(requestId)?.abort();
      running.set(requestId, controller);
      try {
        return await pacs.retrieve(
          name,
          { studyInstanceUid, seriesInstanceUid },
          {
            signal: AbortSignal.any([controller.signal, ctx.signal]),
            onProgress: (progress) => events.emit('pacs:progress', { requestId, ...progress }),
          },
        );
      } finally {
        if (running.get(requestId) === controller) running.delete(requestId);
      }
    },
    'pacs:cancel': ({ requestId }) => {
      const controller = running.get(requestId);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },
    'pacs:send': ({ name, seriesId, deidentify }) => pacs.sendSeries(name, seriesId, deidentify),
    'pacs:outbox': () => pacs.outbox.list(),
    'pacs:retry': () => pacs.retry(),
  };
}

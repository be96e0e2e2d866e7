// The pacs:* channels: connections (the secret goes in, never comes out), QIDO-RS search, a WADO-RS
// retrieve per request id with its progress as pacs:progress events and cancel by id, and the
// STOW-RS send-back of a series' saved segments with its outbox.
import type { AppServices, HandlerTable } from './handler-types';
import { runningRequests } from './running-requests';

type PacsChannel = Extract<keyof HandlerTable, `pacs:${string}`>;

export function pacsHandlers(services: Pick<AppServices, 'pacs' | 'events'>): Pick<HandlerTable, PacsChannel> {
  const { pacs, events } = services;
  const running = runningRequests();
  return {
    'pacs:connections': () => pacs.list(),
    'pacs:save-connection': ({ connection, secret }) => pacs.save(connection, secret),
    'pacs:delete-connection': ({ name }) => pacs.remove(name),
    'pacs:test': ({ connection, secret }, ctx) => pacs.test(connection, ctx.signal, secret),
    'pacs:studies': ({ name, query }, ctx) => pacs.studies(name, query, ctx.signal),
    'pacs:series': ({ name, studyInstanceUid }, ctx) => pacs.series(name, studyInstanceUid, ctx.signal),
    'pacs:retrieve': ({ name, studyInstanceUid, seriesInstanceUid, requestId }, ctx) =>
      running.run(requestId, ctx.signal, (signal) =>
        pacs.retrieve(
          name,
          { studyInstanceUid, seriesInstanceUid },
          { signal, onProgress: (progress) => events.emit('pacs:progress', { requestId, ...progress }) },
        ),
      ),
    'pacs:cancel': ({ requestId }) => running.cancel(requestId),
    'pacs:send': ({ name, seriesId, deidentify }) => pacs.sendSeries(name, seriesId, deidentify),
    'pacs:outbox': () => pacs.outbox.list(),
    'pacs:retry': () => pacs.retry(),
  };
}

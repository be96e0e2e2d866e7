// The one handler table: channel → handler. Free of Electron so it runs in plain Node
// (unit tests, the loopback server for browser e2e tests, the CLI).
import { isAbortError, UserFacingError } from '../errors';
import { findSegTarget } from '../seg/seg-target';
import type { AppServices, HandlerTable } from './handler-types';
import { pacsHandlers } from './pacs-handlers';
import { segmentHandlers } from './segment-handlers';

export function createHandlers(services: AppServices): HandlerTable {
  const finetune = () => {
    if (!services.finetune) throw new UserFacingError('fine-tuning is not available here');
    return services.finetune;
  };
  // The set's and the run's failures (no corrections yet, too few cases, a bad version) are for the user.
  const userFacing = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof Error && !isAbortError(err)) throw new UserFacingError(err.message);
      throw err;
    }
  };
  return {
    'app:info': (_args, ctx) => ({
      name: services.name,
      version: services.version,
      transport: ctx.transport,
      platform: process.platform,
      versions: services.versions,
    }),
    'app:echo': ({ message }) => ({ message, receivedAt: new Date().toISOString() }),
    'viewer:open': ({ paths }) => services.images.open(paths),
    'viewer:choose': async () => {
      if (!services.pickImagePaths) throw new UserFacingError('no file dialog here: enter a path to open');
      const paths = await services.pickImagePaths();
      return paths?.length ? services.images.open(paths) : null;
    },
    'viewer:frame': ({ seriesId, index }) => services.images.frame(seriesId, index),
    'viewer:tags': ({ seriesId, index }) => services.images.tags(seriesId, index),
    'viewer:thumbnail': ({ seriesId }) => services.images.thumbnail(seriesId),
    'masks:load': ({ seriesId }) => services.annotations.load(seriesId),
    'masks:commit': ({ seriesId, ...step }) => services.annotations.commit(seriesId, step),
    'masks:proposal': async ({ seriesId, ...proposal }) => {
      await services.annotations.recordProposal(seriesId, proposal);
      return null;
    },
    'masks:export': (request) => services.annotations.export(request),
    'masks:import': ({ seriesId, path }) => services.annotations.import(seriesId, path),
    'masks:seg-target': ({ seriesId }) => findSegTarget(services.images, seriesId),
    'masks:choose-path': ({ mode, defaultPath }) => {
      if (!services.pickMaskPath) throw new UserFacingError('no file dialog here: type a path');
      return services.pickMaskPath(mode, defaultPath);
    },
    'masks:recent': () => services.annotations.recent(),
    ...segmentHandlers(services),
    ...pacsHandlers(services),
    'finetune:set': ({ includeManual }) => userFacing(() => finetune().set(includeManual)),
    'finetune:run': (request) => userFacing(() => finetune().run(request)),
    'finetune:cancel': () => ({ cancelled: finetune().cancel() }),
    'versions:list': () => userFacing(() => finetune().list()),
    'versions:activate': ({ id }) => userFacing(() => finetune().activate(id)),
  };
}

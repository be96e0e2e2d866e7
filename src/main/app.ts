// Builds the main-process services and the handler table, independent of the transport
// (Electron window, loopback HTTP server, CLI).
import pkg from '../../package.json';
import { DEFAULT_MODEL_DIR } from '../cli/eval';
import { ImageLibrary } from './dicom/library';
import { EventBus } from './ipc/events';
import { type AppServices, createHandlers, type HandlerTable } from './ipc/handlers';
import { type SegmenterOptions, SegmenterService, segmenterOptionsFromEnv } from './segmenter/service';
import { Annotations, defaultWorkspaceDir } from './store/annotations';
import { librarySeries } from './store/series-source';

export interface App {
  services: AppServices;
  handlers: HandlerTable;
  /** Stops the worker threads (segmenter, frame decoders) and closes the workspace store. */
  close(): Promise<void>;
}

export interface AppOptions {
  /** The segmenter's model and provider; default from the environment (segmenterOptionsFromEnv). */
  segmenter?: SegmenterOptions;
}

export function createApp(
  versions: AppServices['versions'] = { node: process.versions.node },
  options: AppOptions = {},
): App {
  const images = new ImageLibrary();
  const segmenter = new SegmenterService(options.segmenter ?? segmenterOptionsFromEnv(DEFAULT_MODEL_DIR));
  const services: AppServices = {
    name: 'NextMask',
    version: pkg.version,
    events: new EventBus(),
    versions,
    images,
    annotations: new Annotations(defaultWorkspaceDir(), librarySeries(images)),
    segmenter,
  };
  return {
    services,
    handlers: createHandlers(services),
    close: async () => {
      await Promise.all([segmenter.close(), images.close()]);
      services.annotations.close();
    },
  };
}

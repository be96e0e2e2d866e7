// Builds the main-process services and the handler table, independent of the transport
// (Electron window, loopback HTTP server, CLI).
import pkg from '../../package.json';
import { ImageLibrary } from './dicom/library';
import { FineTuneService } from './finetune/service';
import { ModelVersions } from './finetune/versions';
import { EventBus } from './ipc/events';
import type { AppServices, HandlerTable } from './ipc/handler-types';
import { createHandlers } from './ipc/handlers';
import { DEFAULT_MODEL_DIR, DEFAULT_REGION_MODEL_DIR } from './model-files/model-folder';
import { MemorySecrets, type SecretStore } from './pacs/secrets';
import { cacheLimitFromEnv, PacsService } from './pacs/service';
import { type SegmenterOptions, SegmenterService, segmenterOptionsFromEnv } from './segmenter/segment-client';
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
  /** Where PACS passwords and tokens live: the desktop app's safeStorage; else memory, for the process's life. */
  pacsSecrets?: SecretStore;
  /** Load the segmenter's model in the background now rather than on the first prompt. */
  preloadModel?: boolean;
}

/** Queued SEG sends are retried this often while any wait. */
const OUTBOX_RETRY_MS = 60_000;

export function createApp(
  versions: AppServices['versions'] = { node: process.versions.node },
  options: AppOptions = {},
): App {
  const images = new ImageLibrary();
  const segmenterOptions =
    options.segmenter ?? segmenterOptionsFromEnv({ text: DEFAULT_MODEL_DIR, region: DEFAULT_REGION_MODEL_DIR });
  const workspace = defaultWorkspaceDir();
  // The configured folder is the shipped model; a fine-tuned version activated in the workspace replaces it.
  const modelVersions = new ModelVersions(workspace, segmenterOptions.modelDir);
  const segmenter = new SegmenterService({
    ...segmenterOptions,
    modelDir: modelVersions.modelDir(modelVersions.activeNow()),
  });
  const events = new EventBus();
  const annotations = new Annotations(workspace, librarySeries(images));
  const pacs = new PacsService({
    dir: workspace,
    secrets: options.pacsSecrets ?? new MemorySecrets(),
    images,
    exportSeg: (seriesId, path, deidentify) => annotations.export({ seriesId, format: 'seg', path, deidentify }),
    lastSaved: (seriesInstanceUid) => annotations.lastSaved(seriesInstanceUid),
    cacheBytes: cacheLimitFromEnv(),
  });
  pacs.startRetrying(OUTBOX_RETRY_MS);
  if (options.preloadModel) segmenter.preload();
  const services: AppServices = {
    name: 'NextMask',
    version: pkg.version,
    events,
    versions,
    images,
    annotations,
    segmenter,
    pacs,
    finetune: new FineTuneService(
      () => annotations.store(),
      modelVersions,
      (dir) => segmenter.setModelDir(dir),
      (progress) => events.emit('finetune:progress', progress),
      segmenter.status().requested,
    ),
  };
  return {
    services,
    handlers: createHandlers(services),
    close: async () => {
      pacs.close();
      services.finetune?.cancel();
      await Promise.all([segmenter.close(), images.close()]);
      services.annotations.close();
    },
  };
}

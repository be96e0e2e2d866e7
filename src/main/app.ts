// Builds the main-process services and the handler table, independent of the transport
// (Electron window, loopback HTTP server, CLI).
import pkg from '../../package.json';
import { ImageLibrary } from './dicom/library';
import { EventBus } from './ipc/events';
import { type AppServices, createHandlers, type HandlerTable } from './ipc/handlers';
import { Annotations, defaultWorkspaceDir } from './store/annotations';
import { librarySeries } from './store/series-source';

export interface App {
  services: AppServices;
  handlers: HandlerTable;
}

export function createApp(versions: AppServices['versions'] = { node: process.versions.node }): App {
  const images = new ImageLibrary();
  const services: AppServices = {
    name: 'NextMask',
    version: pkg.version,
    events: new EventBus(),
    versions,
    images,
    annotations: new Annotations(defaultWorkspaceDir(), librarySeries(images)),
  };
  return { services, handlers: createHandlers(services) };
}

// Builds the main-process services and the handler table, independent of the transport
// (Electron window, loopback HTTP server, CLI).
import pkg from '../../package.json';
import { ImageLibrary } from './dicom/library';
import { EventBus } from './ipc/events';
import { type AppServices, createHandlers, type HandlerTable } from './ipc/handlers';

export interface App {
  services: AppServices;
  handlers: HandlerTable;
}

export function createApp(versions: AppServices['versions'] = { node: process.versions.node }): App {
  const services: AppServices = {
    name: 'NextMask',
    version: pkg.version,
    events: new EventBus(),
    versions,
    images: new ImageLibrary(),
  };
  return { services, handlers: createHandlers(services) };
}

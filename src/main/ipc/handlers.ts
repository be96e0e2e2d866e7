// The one handler table: channel → handler. Free of Electron so it runs in plain Node
// (unit tests, the loopback server for browser e2e tests, the CLI).
import type { Args, Channel, Results } from '../../shared/ipc';
import type { EventBus } from './events';

export interface HandlerContext {
  transport: 'electron' | 'http';
  /** Aborted when the caller goes away (window closed, HTTP client disconnected). */
  signal: AbortSignal;
}

export type Handler<C extends Channel> = (args: Args<C>, ctx: HandlerContext) => Promise<Results[C]> | Results[C];
export type HandlerTable = { [C in Channel]: Handler<C> };

export interface AppServices {
  name: string;
  version: string;
  events: EventBus;
  /** Versions of the runtime hosting main (Electron adds its own). */
  versions: { node: string; electron?: string; chrome?: string };
}

export function createHandlers(services: AppServices): HandlerTable {
  return {
    'app:info': (_args, ctx) => ({
      name: services.name,
      version: services.version,
      transport: ctx.transport,
      platform: process.platform,
      versions: services.versions,
    }),
    'app:echo': ({ message }) => ({ message, receivedAt: new Date().toISOString() }),
  };
}

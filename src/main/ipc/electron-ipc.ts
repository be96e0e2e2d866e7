// Serves the handler table over Electron IPC (ipcMain.handle) and forwards bus events
// to the window. The only IPC code that imports Electron.
import type { IpcMain, WebContents } from 'electron';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from '../../shared/ipc';
import { dispatch } from './dispatch';
import type { EventBus } from './events';
import type { HandlerTable } from './handler-types';

export function serveOverElectron(
  ipcMain: IpcMain,
  table: HandlerTable,
  events: EventBus,
  isTrustedSender: (sender: WebContents, frameUrl: string | undefined) => boolean,
): () => void {
  ipcMain.handle(INVOKE_CHANNEL, async (event, channel: unknown, args: unknown) => {
    if (!isTrustedSender(event.sender, event.senderFrame?.url)) {
      return { ok: false, error: { code: 'unauthorized', message: 'untrusted sender' } };
    }
    const controller = new AbortController();
    event.sender.once('destroyed', () => controller.abort());
    return dispatch(table, channel, args, { transport: 'electron', signal: controller.signal });
  });
  const unsubscribe = events.subscribe((name, payload) => {
    for (const contents of trackedContents) {
      if (!contents.isDestroyed()) contents.send(EVENT_CHANNEL, name, payload);
    }
  });
  return () => {
    ipcMain.removeHandler(INVOKE_CHANNEL);
    unsubscribe();
  };
}

const trackedContents = new Set<WebContents>();

/** Windows that receive main → renderer events. */
export function trackContents(contents: WebContents): void {
  trackedContents.add(contents);
  contents.once('destroyed', () => trackedContents.delete(contents));
}

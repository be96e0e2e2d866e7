// The renderer's only door to main: window.nextmask. Runs sandboxed, so it imports
// nothing but 'electron' (and constants inlined at build time).
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { API_GLOBAL, EVENT_CHANNEL, type EventName, INVOKE_CHANNEL, type NextmaskBridge } from '../shared/ipc';

const bridge: NextmaskBridge = {
  invoke: (channel, args) => ipcRenderer.invoke(INVOKE_CHANNEL, channel, args),
  on(listener) {
    const wrapped = (_e: unknown, name: EventName, payload: unknown) => listener(name, payload);
    ipcRenderer.on(EVENT_CHANNEL, wrapped);
    return () => ipcRenderer.removeListener(EVENT_CHANNEL, wrapped);
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
};

contextBridge.exposeInMainWorld(API_GLOBAL, bridge);

// The main window's settings. Kept as data (type-only Electron import) so a unit test can
// assert every security-relevant option without starting Electron.
import type { BrowserWindowConstructorOptions } from 'electron';

/** Origin the packaged renderer is served from (a privileged custom scheme, not file://). */
export const APP_SCHEME = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://nextmask`;

/** `development`: devTools are available only then (never in a packaged build). */
export function mainWindowOptions(preloadPath: string, development = false): BrowserWindowConstructorOptions {
  return {
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#111418',
    title: 'NextMask',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      safeDialogs: true,
      spellcheck: false,
      devTools: development,
    },
  };
}

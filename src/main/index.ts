// Electron entry point: one hardened window, the handler table on IPC, the renderer on
// the app:// scheme (file:// would make every local file "same origin").
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, safeStorage, session } from 'electron';
import { createApp } from './app';
import { hardenSession, hardenWebContents, isAppUrl } from './harden';
import { serveOverElectron, trackContents } from './ipc/electron-ipc';
import { log } from './log';
import { EncryptedSecrets, MemorySecrets, type SecretStore } from './pacs/secrets';
import { defaultWorkspaceDir } from './store/annotations';
import { APP_ORIGIN, APP_SCHEME, mainWindowOptions } from './window';

const rendererDir = join(import.meta.dirname, '../renderer');
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const allowedOrigins = [APP_ORIGIN, ...(devServerUrl ? [new URL(devServerUrl).origin] : [])];

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);

function serveRenderer(): void {
  protocol.handle(APP_SCHEME, (request) => {
    const { pathname } = new URL(request.url);
    const file = join(rendererDir, normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname)));
    if (!file.startsWith(rendererDir + sep)) return new Response('forbidden', { status: 403 });
    return net.fetch(pathToFileURL(file).toString());
  });
}

/** PACS secrets sealed with the OS keychain's key; where there is none, kept in memory only. */
function pacsSecrets(): SecretStore {
  if (!safeStorage.isEncryptionAvailable()) {
    log.warn('no OS keychain: PACS passwords are kept for this run only');
    return new MemorySecrets();
  }
  return new EncryptedSecrets(defaultWorkspaceDir(), {
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (sealed) => safeStorage.decryptString(sealed),
  });
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow(
    mainWindowOptions(join(import.meta.dirname, '../preload/index.cjs'), !app.isPackaged),
  );
  hardenWebContents(window.webContents, allowedOrigins);
  trackContents(window.webContents);
  window.once('ready-to-show', () => window.show());
  void window.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`);
  return window;
}

async function main(): Promise<void> {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  log.toFile(join(app.getPath('logs'), 'nextmask.log'));
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, allowedOrigins));
  await app.whenReady();
  hardenSession(session.defaultSession);
  serveRenderer();
  const nextmask = createApp(
    { node: process.versions.node, electron: process.versions.electron, chrome: process.versions.chrome },
    { pacsSecrets: pacsSecrets(), preloadModel: true },
  );
  const { services, handlers } = nextmask;
  app.on('will-quit', () => void nextmask.close());
  // Linux and Windows pick folders or files, not both, in one dialog: folders are what series come in.
  services.pickImagePaths = async () => {
    const picked = await dialog.showOpenDialog({ properties: ['openDirectory', 'openFile', 'multiSelections'] });
    return picked.canceled ? null : picked.filePaths;
  };
  const maskFiles = [
    { name: 'Masks (DICOM SEG, NIfTI, PNG)', extensions: ['dcm', 'nii', 'gz', 'png'] },
    { name: 'All files', extensions: ['*'] },
  ];
  services.pickMaskPath = async (mode, defaultPath) => {
    if (mode === 'save') {
      const picked = await dialog.showSaveDialog({ defaultPath, filters: maskFiles });
      return picked.canceled || !picked.filePath ? null : picked.filePath;
    }
    const picked = await dialog.showOpenDialog({ defaultPath, properties: ['openFile'], filters: maskFiles });
    return picked.canceled ? null : (picked.filePaths[0] ?? null);
  };
  serveOverElectron(
    ipcMain,
    handlers,
    services.events,
    (_sender, frameUrl) => !!frameUrl && isAppUrl(frameUrl, allowedOrigins),
  );
  let window = createWindow();
  app.on('second-instance', () => {
    if (window.isMinimized()) window.restore();
    window.focus();
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) window = createWindow();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
}

main().catch((err) => {
  log.error('startup failed', err);
  app.exit(1);
});

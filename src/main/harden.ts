// Locks down what web content may do: no navigation away from the app, no new windows,
// no webviews, no permissions, and the CSP on every response. Takes Electron objects as
// parameters (type-only import) so tests can pass fakes.
import type { Session, WebContents } from 'electron';
import { CONTENT_SECURITY_POLICY } from '../shared/security';
import { log } from './log';

/** True when `url` belongs to the app itself (the app:// origin or the dev server). */
export function isAppUrl(url: string, allowedOrigins: readonly string[]): boolean {
  try {
    // URL.origin is "null" for custom schemes outside Electron, so build it by hand.
    const { protocol, host } = new URL(url);
    return host !== '' && allowedOrigins.includes(`${protocol}//${host}`);
  } catch {
    return false;
  }
}

type SessionLike = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'webRequest'>;

export function hardenSession(session: SessionLike): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => {
    log.warn(`denied permission request: ${permission}`);
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
}

type ContentsLike = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

export function hardenWebContents(contents: ContentsLike, allowedOrigins: readonly string[]): void {
  const block = (event: { preventDefault(): void }, url: string) => {
    if (!isAppUrl(url, allowedOrigins)) {
      event.preventDefault();
      log.warn(`blocked navigation to ${url}`);
    }
  };
  contents.on('will-navigate', block);
  contents.on('will-redirect', block);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    log.warn(`blocked new window for ${url}`);
    return { action: 'deny' };
  });
}

import { describe, expect, it, vi } from 'vitest';
import { CONTENT_SECURITY_POLICY } from '../shared/security';
import { hardenSession, hardenWebContents, isAppUrl } from './harden';
import { APP_ORIGIN, mainWindowOptions } from './window';

function directives(csp: string): Map<string, string[]> {
  return new Map(
    csp.split(';').map((part) => {
      const [name, ...values] = part.trim().split(/\s+/);
      return [name ?? '', values];
    }),
  );
}

describe('main window security options', () => {
  const prefs = mainWindowOptions('/app/out/preload/index.cjs').webPreferences!;

  it('isolates and sandboxes the renderer', () => {
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      experimentalFeatures: false,
      navigateOnDragDrop: false,
    });
    expect(prefs.preload).toBe('/app/out/preload/index.cjs');
  });

  it('opens devTools only in development', () => {
    expect(prefs.devTools).toBe(false);
    expect(mainWindowOptions('/p', true).webPreferences?.devTools).toBe(true);
  });
});

describe('content security policy', () => {
  const csp = directives(CONTENT_SECURITY_POLICY);

  it('allows only the app itself to run code or connect', () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
  });

  it('never allows eval or remote hosts anywhere', () => {
    for (const [name, values] of csp) {
      expect(values, name).not.toContain("'unsafe-eval'");
      for (const value of values) expect(value, name).not.toMatch(/^(https?:|\*|wss?:)/);
    }
  });
});

describe('web contents hardening', () => {
  function fakeContents() {
    const listeners = new Map<string, (event: { preventDefault(): void }, url: string) => void>();
    let openHandler: ((d: { url: string }) => { action: string }) | undefined;
    return {
      on: vi.fn((name: string, fn: (event: { preventDefault(): void }, url: string) => void) => {
        listeners.set(name, fn);
      }),
      setWindowOpenHandler: vi.fn((fn: (d: { url: string }) => { action: string }) => {
        openHandler = fn;
      }),
      navigate(name: string, url: string) {
        const event = { preventDefault: vi.fn() };
        listeners.get(name)?.(event, url);
        return event.preventDefault.mock.calls.length > 0;
      },
      open: (url: string) => openHandler?.({ url }),
    };
  }

  it('blocks navigation away from the app and every new window', () => {
    const contents = fakeContents();
    hardenWebContents(contents as never, [APP_ORIGIN]);
    expect(contents.navigate('will-navigate', 'https://example.com/')).toBe(true);
    expect(contents.navigate('will-redirect', 'file:///etc/passwd')).toBe(true);
    expect(contents.navigate('will-navigate', `${APP_ORIGIN}/index.html`)).toBe(false);
    expect(contents.navigate('will-attach-webview', `${APP_ORIGIN}/x`)).toBe(true);
    expect(contents.open(`${APP_ORIGIN}/index.html`)).toEqual({ action: 'deny' });
  });

  it('recognises app URLs by origin, not by prefix', () => {
    expect(isAppUrl('app://nextmask/index.html', [APP_ORIGIN])).toBe(true);
    expect(isAppUrl('app://nextmask.evil/index.html', [APP_ORIGIN])).toBe(false);
    expect(isAppUrl('not a url', [APP_ORIGIN])).toBe(false);
  });

  it('denies permissions and adds the CSP to every response', () => {
    let request: ((c: unknown, p: string, cb: (ok: boolean) => void) => void) | undefined;
    let check: (() => boolean) | undefined;
    let headers: ((d: { responseHeaders?: Record<string, string[]> }, cb: (r: unknown) => void) => void) | undefined;
    hardenSession({
      setPermissionRequestHandler: (fn: typeof request) => {
        request = fn;
      },
      setPermissionCheckHandler: (fn: typeof check) => {
        check = fn;
      },
      webRequest: { onHeadersReceived: (fn: typeof headers) => (headers = fn) },
    } as never);
    const granted = vi.fn();
    request?.({}, 'media', granted);
    expect(granted).toHaveBeenCalledWith(false);
    expect(check?.()).toBe(false);
    const done = vi.fn();
    headers?.({ responseHeaders: { 'X-Other': ['1'] } }, done);
    expect(done).toHaveBeenCalledWith({
      responseHeaders: {
        'X-Other': ['1'],
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
        'X-Content-Type-Options': ['nosniff'],
      },
    });
  });
});

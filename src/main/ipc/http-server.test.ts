import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKEN_HEADER } from '../../shared/ipc';
import { decodeWire, encodeWire } from '../../shared/wire';
import { createApp } from '../app';
import { type RunningServer, serveHandlers } from './http-server';

describe('loopback HTTP server', () => {
  const app = createApp();
  const staticDir = mkdtempSync(join(tmpdir(), 'nextmask-static-'));
  let server: RunningServer;
  const secretName = `secret-${process.pid}.txt`;
  writeFileSync(join(staticDir, '..', secretName), 'SECRET');

  const rawGet = (path: string, headers: Record<string, string> = {}, method = 'GET') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${server.origin}/`, { path, headers, method }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>t</title>');
    mkdirSync(join(staticDir, 'assets'));
    writeFileSync(join(staticDir, 'assets', 'a.js'), 'export {}');
    server = await serveHandlers({ handlers: app.handlers, events: app.services.events, staticDir });
  });
  afterAll(async () => {
    await server.close();
    rmSync(join(staticDir, '..', secretName), { force: true });
    rmSync(staticDir, { recursive: true, force: true });
  });

  const call = (channel: string, body: unknown, token: string | null = server.token) =>
    fetch(`${server.origin}/api/${channel}`, {
      method: 'POST',
      headers: token ? { [TOKEN_HEADER]: token } : {},
      body: encodeWire(body),
    });

  it('listens on loopback only and puts the token in the fragment', () => {
    expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).toBe(`${server.origin}/#token=${server.token}`);
    expect(server.token).toMatch(/^[0-9a-f]{48}$/);
  });

  it('serves a call with the right token', async () => {
    const response = await call('app:echo', { message: 'hello' });
    expect(response.status).toBe(200);
    expect(decodeWire(await response.text())).toMatchObject({ ok: true, value: { message: 'hello' } });
  });

  it('refuses a missing or wrong token', async () => {
    expect((await call('app:info', {}, null)).status).toBe(401);
    expect((await call('app:info', {}, `${server.token.slice(1)}x`)).status).toBe(401);
  });

  it('returns validation errors as envelopes', async () => {
    const body = decodeWire(await (await call('app:echo', { message: ['x'] })).text());
    expect(body).toMatchObject({ ok: false, error: { code: 'invalid-args' } });
    const garbled = await fetch(`${server.origin}/api/app:echo`, {
      method: 'POST',
      headers: { [TOKEN_HEADER]: server.token },
      body: '{not json',
    });
    expect(garbled.status).toBe(400);
  });

  it('streams events to a subscriber', async () => {
    const response = await fetch(`${server.origin}/events?token=${server.token}`);
    const reader = response.body!.getReader();
    await reader.read(); // ": connected"
    app.services.events.emit('app:log', { level: 'info', message: 'decoded 3 files', at: 'now' });
    const { value } = await reader.read();
    const text = new TextDecoder().decode(value);
    expect(text).toContain('event: app:log');
    expect(text).toContain('decoded 3 files');
    await reader.cancel();
  });

  it('serves the renderer with the CSP header and never outside its folder', async () => {
    const index = await fetch(`${server.origin}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect((await fetch(`${server.origin}/assets/a.js`)).headers.get('content-type')).toContain('javascript');
    // fetch() would normalise "..", so send the raw request line.
    const escaped = await rawGet(`/..%2f..%2f${secretName}`);
    expect(escaped.status).not.toBe(200);
    expect(escaped.body).not.toContain('SECRET');
    expect((await fetch(`${server.origin}/missing.js`)).status).toBe(404);
  });

  it('answers a malformed request line with 400 and keeps serving', async () => {
    const bad = await rawGet('/api/%E0%A4%A', { [TOKEN_HEADER]: server.token }, 'POST');
    expect(bad.status).toBe(400);
    expect(bad.body).toContain('URI');
    expect((await rawGet('/%E0%A4%A')).status).toBe(400);
    expect((await call('app:echo', { message: 'still here' })).status).toBe(200);
  });

  it('refuses a body above 64 MiB with 400 and keeps serving', async () => {
    const huge = await call('app:echo', { message: 'x'.repeat(64 * 2 ** 20) });
    expect(huge.status).toBe(400);
    expect(await huge.text()).toContain('request body too large');
    expect((await call('app:echo', { message: 'still here' })).status).toBe(200);
  });

  it('refuses a Host that is not this server (DNS rebinding)', async () => {
    const port = new URL(server.origin).port;
    const headers = { [TOKEN_HEADER]: server.token };
    expect((await rawGet('/api/app:info', { ...headers, host: `evil.example:${port}` }, 'POST')).status).toBe(400);
    expect((await rawGet('/api/app:info', { ...headers, host: '127.0.0.1:1' }, 'POST')).status).toBe(400);
    expect((await rawGet('/', { host: `evil.example:${port}` })).status).toBe(400);
    expect((await rawGet('/api/app:info', { ...headers, host: `localhost:${port}` }, 'POST')).status).toBe(200);
  });

  it('refuses calls from another origin and serves its own', async () => {
    const headers = { [TOKEN_HEADER]: server.token };
    const foreign = await rawGet('/api/app:info', { ...headers, origin: 'https://evil.example' }, 'POST');
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain('evil.example');
    expect((await rawGet('/api/app:info', { ...headers, origin: 'null' }, 'POST')).status).toBe(403);
    expect((await rawGet('/api/app:info', { ...headers, origin: server.origin }, 'POST')).status).toBe(200);
  });
});

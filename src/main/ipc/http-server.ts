// Serves the handler table and the built renderer on 127.0.0.1 so the renderer can run
// in a plain browser (end-to-end tests). Every API request must carry the per-run token;
// every request must name this server as its Host (no DNS rebinding) and, when a browser
// says where it comes from, come from this server's own origin (no cross-site calls).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { type Envelope, TOKEN_HEADER } from '../../shared/ipc';
import { CONTENT_SECURITY_POLICY } from '../../shared/security';
import { decodeWire, encodeWire } from '../../shared/wire';
import { dispatch } from './dispatch';
import type { EventBus } from './events';
import type { HandlerTable } from './handler-types';

const MAX_BODY_BYTES = 64 * 1024 * 1024;

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

export interface ServeOptions {
  handlers: HandlerTable;
  events: EventBus;
  /** Folder with the built renderer (out/renderer); omit to serve the API only. */
  staticDir?: string;
  port?: number;
  token?: string;
}

export interface RunningServer {
  /** Open this in a browser: the token travels in the fragment, never in a request line. */
  url: string;
  origin: string;
  token: string;
  close(): Promise<void>;
}

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': type,
    'content-security-policy': CONTENT_SECURITY_POLICY,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
  });
  res.end(body);
}

function refuse(res: ServerResponse, status: number, message: string): void {
  sendEnvelope(res, status, { ok: false, error: { code: status === 401 ? 'unauthorized' : 'invalid-args', message } });
}

/** The Host a client used, when it is this server's (127.0.0.1 or localhost, this port). */
function ownHost(host: string | undefined, port: number): boolean {
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

function sendEnvelope(res: ServerResponse, status: number, envelope: Envelope<unknown>): void {
  send(res, status, 'application/json', encodeWire(envelope));
}

export async function serveHandlers(options: ServeOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const { handlers, events, staticDir } = options;

  async function handleApi(req: IncomingMessage, res: ServerResponse, channel: string): Promise<void> {
    if (req.method !== 'POST') return send(res, 405, 'text/plain', 'POST only');
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    let args: unknown;
    try {
      const body = await readBody(req);
      args = body ? decodeWire(body) : {};
    } catch (err) {
      return sendEnvelope(res, 400, {
        ok: false,
        error: { code: 'invalid-args', message: `bad request body: ${String(err)}` },
      });
    }
    const envelope = await dispatch(handlers, channel, args, { transport: 'http', signal: controller.signal });
    sendEnvelope(res, 200, envelope);
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    const unsubscribe = events.subscribe((event, payload) => {
      res.write(`event: ${event}\ndata: ${encodeWire(payload)}\n\n`);
    });
    req.on('close', unsubscribe);
  }

  async function handleStatic(res: ServerResponse, pathname: string): Promise<void> {
    if (!staticDir) return send(res, 404, 'text/plain', 'not found');
    const relative = normalize(decodeURIComponent(pathname === '/' ? '/index.html' : pathname));
    const file = join(staticDir, relative);
    if (!file.startsWith(staticDir + sep)) return send(res, 403, 'text/plain', 'forbidden');
    try {
      const body = await readFile(file);
      send(res, 200, MIME[extname(file)] ?? 'application/octet-stream', body);
    } catch {
      send(res, 404, 'text/plain', 'not found');
    }
  }

  // Set once listening; requests only arrive after that.
  let port = 0;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!ownHost(req.headers.host, port)) return refuse(res, 400, 'wrong Host header');
    const origin = req.headers.origin;
    if (origin !== undefined && !ownHost(origin.replace(/^http:\/\//, ''), port)) {
      return refuse(res, 403, `requests from ${origin} are not served`);
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const isApi = url.pathname.startsWith('/api/');
    const isEvents = url.pathname === '/events';
    if (isApi || isEvents) {
      // EventSource cannot set headers, so the event stream takes the token as a query parameter.
      const given =
        (req.headers[TOKEN_HEADER] as string | undefined) ??
        (isEvents ? (url.searchParams.get('token') ?? undefined) : undefined);
      if (!sameToken(given, token)) return refuse(res, 401, 'missing or wrong token');
      if (isEvents) return handleEvents(req, res);
      return handleApi(req, res, decodeURIComponent(url.pathname.slice('/api/'.length)));
    }
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'GET only');
    return handleStatic(res, url.pathname);
  }

  // One catch for every request: a malformed URL, header or body answers 400, never takes the process down.
  const server = createServer((req, res) => {
    route(req, res).catch((err: unknown) => {
      if (res.headersSent) return void res.destroy();
      refuse(res, 400, `bad request: ${err instanceof Error ? err.message : String(err)}`);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${token}`,
    origin,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

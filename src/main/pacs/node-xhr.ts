// The XMLHttpRequest surface dicomweb-client drives (open, headers, send, readyState 4, response),
// served by node:http/https. The library is written for browsers; Node and Electron's main process
// have no XMLHttpRequest, and it accepts a request instance per call, so no global shim is needed.
// Over node:https the connection gets what a browser would not give: an extra CA, a socket timeout,
// and an AbortSignal. A failure below HTTP (refused, timed out, TLS) ends as status 0 with `failure` set.
import http from 'node:http';
import https from 'node:https';

export interface TransportOptions {
  /** PEM certificates to trust (replaces Node's list, so it must include the roots still wanted). */
  ca?: string[];
  /** A socket with no bytes for this long fails the request. */
  timeoutMs: number;
  signal?: AbortSignal;
}

type ProgressEventLike = { loaded: number; total: number; lengthComputable: boolean };

export class TimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${(ms / 1000).toFixed(ms < 1000 ? 1 : 0)} s`);
    this.name = 'TimeoutError';
  }
}

export class NodeXhr {
  readyState = 0;
  status = 0;
  responseType: '' | 'json' | 'arraybuffer' | 'text' = '';
  response: unknown = null;
  withCredentials = false;
  onreadystatechange: (() => void) | null = null;
  onprogress: ((event: ProgressEventLike) => void) | null = null;
  onloadstart: (() => void) | null = null;
  onloadend: (() => void) | null = null;
  /** Why the request got no HTTP answer (status 0). */
  failure: Error | null = null;

  private method = 'GET';
  private url = '';
  private readonly headers: Record<string, string> = {};
  private responseHeaders: http.IncomingHttpHeaders = {};

  constructor(private readonly options: TransportOptions) {}

  open(method: string, url: string): void {
    this.method = method.toUpperCase();
    this.url = url;
    this.readyState = 1;
  }

  setRequestHeader(name: string, value: string): void {
    this.headers[name] = value;
  }

  getResponseHeader(name: string): string | null {
    const value = this.responseHeaders[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
  }

  getAllResponseHeaders(): string {
    return Object.entries(this.responseHeaders)
      .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : v}\r\n`)
      .join('');
  }

  send(data?: ArrayBuffer | Uint8Array | string): void {
    const { signal, timeoutMs, ca } = this.options;
    const url = new URL(this.url);
    const body = data === undefined ? undefined : typeof data === 'string' ? data : new Uint8Array(data);
    const lib = url.protocol === 'https:' ? https : http;
    const request = lib.request(url, {
      method: this.method,
      headers: { ...this.headers, ...(body !== undefined ? { 'Content-Length': String(body.length) } : {}) },
      ...(ca && url.protocol === 'https:' ? { ca } : {}),
      ...(signal ? { signal } : {}),
    });
    request.setTimeout(timeoutMs, () => request.destroy(new TimeoutError(timeoutMs)));
    request.on('response', (response) => {
      this.status = response.statusCode ?? 0;
      this.responseHeaders = response.headers;
      const total = Number(response.headers['content-length'] ?? 0);
      const chunks: Buffer[] = [];
      let loaded = 0;
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        loaded += chunk.length;
        this.onprogress?.({ loaded, total, lengthComputable: total > 0 });
      });
      response.on('end', () => this.finish(Buffer.concat(chunks)));
      response.on('error', (err) => this.fail(err));
    });
    request.on('error', (err) => this.fail(err));
    this.onloadstart?.();
    request.end(body);
  }

  private finish(bytes: Buffer): void {
    if (this.responseType === 'arraybuffer') {
      this.response = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    } else if (this.responseType === 'json') {
      try {
        this.response = bytes.length ? JSON.parse(bytes.toString('utf8')) : null;
      } catch {
        this.response = null;
      }
    } else {
      this.response = bytes.toString('utf8');
    }
    this.done();
  }

  private fail(err: Error): void {
    if (this.readyState === 4) return;
    this.status = 0;
    this.failure = err;
    this.done();
  }

  private done(): void {
    this.readyState = 4;
    this.onreadystatechange?.();
    this.onloadend?.();
  }
}

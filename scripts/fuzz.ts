// `npm run test:fuzz [-- --seed N --cases N]`: the fuzz suite. Seeded corrupted copies of
// ../shared/dicom, of a NIfTI volume and of a DICOM SEG go through the real open/decode/import path
// in worker processes with a heap limit and a per-case time limit; then crafted HTTP requests and
// IPC calls go to the served handler table. Every case must end in a clear error or a display:
// a crash, a hang, an unclear message or a peak above the memory limit fails the run.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { parseArgs } from 'node:util';
import { createApp } from '../src/main/app';
import { dispatch } from '../src/main/ipc/dispatch';
import { serveHandlers } from '../src/main/ipc/http-server';
import { type FuzzCase, fuzzCases } from '../src/main/testing/fuzz/cases';
import type { CaseReply } from '../src/main/testing/fuzz/fuzz-child';
import { channels } from '../src/shared/ipc';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '34' },
    cases: { type: 'string', default: '300' },
    workers: { type: 'string', default: '2' },
  },
});
const CASE_MS = 30_000;
const HEAP_MB = 1024;
const PEAK_LIMIT_MIB = 1536;
const CHILD = join(import.meta.dirname, '../src/main/testing/fuzz/fuzz-child.ts');

/** A clear error: words a person can act on, not a bare number, an object dump or nothing. */
function clear(message: string | undefined): boolean {
  return (
    !!message && message.trim().length >= 8 && !/^\d+$/.test(message) && !/\[object |undefined$|^null$/.test(message)
  );
}

type Result = {
  case: FuzzCase;
  outcome: CaseReply['outcome'] | 'hang' | 'process died';
  message?: string;
  ms: number;
  peakMiB: number;
};

class Worker {
  private child!: ChildProcess;
  private lines!: Interface;
  constructor() {
    this.start();
  }
  private start(): void {
    this.child = spawn(process.execPath, [`--max-old-space-size=${HEAP_MB}`, '--import', 'tsx', CHILD], {
      stdio: ['pipe', 'pipe', 'ignore'],
      env: { ...process.env, NEXTMASK_LOG_LEVEL: 'error' },
    });
    this.lines = createInterface({ input: this.child.stdout! });
  }
  run(c: FuzzCase, path: string): Promise<Result> {
    const started = performance.now();
    return new Promise((resolve) => {
      const done = (result: Omit<Result, 'case'>) => {
        clearTimeout(timer);
        this.lines.off('line', onLine);
        this.child.off('exit', onExit);
        resolve({ case: c, ...result });
      };
      const onLine = (line: string) => done(JSON.parse(line) as CaseReply);
      const onExit = (code: number | null, signal: string | null) => {
        done({
          outcome: 'process died',
          message: `exit ${code ?? signal}`,
          ms: performance.now() - started,
          peakMiB: 0,
        });
        this.start();
      };
      const timer = setTimeout(() => {
        this.child.off('exit', onExit);
        this.child.kill('SIGKILL');
        this.start();
        done({ outcome: 'hang', ms: CASE_MS, peakMiB: 0 });
      }, CASE_MS);
      this.lines.on('line', onLine);
      this.child.once('exit', onExit);
      this.child.stdin!.write(`${JSON.stringify({ path, kind: c.kind })}\n`);
    });
  }
  close(): void {
    this.child.stdin!.end();
  }
}

async function fileCases(): Promise<{ failures: string[]; results: Result[] }> {
  const cases = fuzzCases(Number(values.seed), Number(values.cases));
  const dir = mkdtempSync(join(tmpdir(), 'nextmask-fuzz-'));
  const workers = Array.from({ length: Number(values.workers) }, () => new Worker());
  const results: Result[] = [];
  let next = 0;
  await Promise.all(
    workers.map(async (worker) => {
      while (next < cases.length) {
        const i = next++;
        const c = cases[i] as FuzzCase;
        const path = join(dir, `case-${i}${c.kind === 'nifti' ? '.nii.gz' : '.dcm'}`);
        writeFileSync(path, c.bytes);
        results.push(await worker.run(c, path));
        rmSync(path, { force: true });
      }
      worker.close();
    }),
  );
  rmSync(dir, { recursive: true, force: true });
  const failures = results
    .filter(
      (r) =>
        r.outcome === 'hang' ||
        r.outcome === 'process died' ||
        r.outcome === 'crashed' ||
        (r.outcome === 'error' && !clear(r.message)) ||
        r.peakMiB > PEAK_LIMIT_MIB,
    )
    .map((r) => `${r.case.kind} ${r.case.name}: ${r.outcome}${r.message ? ` (${r.message})` : ''}, ${r.peakMiB} MiB`);
  return { failures, results };
}

function raw(port: number, path: string, headers: Record<string, string>, method = 'POST', body = ''): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(-1));
    req.end(body);
  });
}

/** Crafted requests to the served handlers; the server must answer each and stay up. */
async function httpAndIpcCases(): Promise<{ failures: string[]; count: number }> {
  const workspace = mkdtempSync(join(tmpdir(), 'nextmask-fuzz-ws-'));
  process.env.NEXTMASK_WORKSPACE = workspace;
  const app = createApp();
  const server = await serveHandlers({ handlers: app.handlers, events: app.services.events });
  const port = Number(new URL(server.origin).port);
  const auth = { 'x-nextmask-token': server.token, host: `127.0.0.1:${port}` };
  const failures: string[] = [];
  const http: [string, string, Record<string, string>, string, number[]][] = [
    ['bad percent-encoding', '/api/%E0%A4%A', auth, '', [400]],
    ['bad percent-encoding, static', '/%E0%A4%A', { host: auth.host }, '', [400, 405]],
    ['foreign Host', '/api/app:info', { ...auth, host: `evil.example:${port}` }, '', [400]],
    ['foreign Origin', '/api/app:info', { ...auth, origin: 'https://evil.example' }, '', [403]],
    ['no token', '/api/app:info', { host: auth.host }, '', [401]],
    ['not JSON', '/api/app:echo', auth, '{"message":', [400]],
    ['__proto__ key', '/api/app:echo', auth, '{"message":"x","__proto__":{"polluted":1}}', [200]],
    ['constructor key', '/api/viewer:open', auth, '{"paths":[],"constructor":1}', [200]],
    ['sparse array', '/api/viewer:open', auth, '{"paths":["/a",null]}', [200]],
    ['bad typed array', '/api/masks:proposal', auth, '{"bits":{"$typed":"Nope","data":"AA=="}}', [400]],
    ['deep nesting', '/api/app:echo', auth, `${'['.repeat(5000)}${']'.repeat(5000)}`, [200, 400]],
    ['unknown channel', '/api/nope', auth, '{}', [200]],
    ['open a FIFO-like device', '/api/viewer:open', auth, '{"paths":["/dev/zero"]}', [200]],
  ];
  for (const [name, path, headers, body, ok] of http) {
    const status = await raw(port, path, headers, 'POST', body);
    if (!ok.includes(status)) failures.push(`http ${name}: status ${status}, expected ${ok.join(' or ')}`);
  }
  if ((await raw(port, '/api/app:info', auth)) !== 200) failures.push('http: server stopped answering');
  // Every channel with hostile arguments: each call must come back as an envelope, never a throw.
  const hostile: unknown[] = [
    null,
    7,
    'x',
    [],
    { __proto__: null },
    JSON.parse('{"__proto__":{"a":1}}'),
    { seriesId: 's999', index: -1 },
    { paths: new Array(3) },
    { seriesId: '\u0000', path: '/dev/zero' },
  ];
  let count = http.length + 1;
  for (const channel of channels) {
    for (const args of hostile) {
      count++;
      try {
        const envelope = await dispatch(app.handlers, channel, args, {
          transport: 'http',
          signal: new AbortController().signal,
        });
        if (!envelope.ok && !clear(envelope.error.message))
          failures.push(`ipc ${channel}: unclear error "${envelope.error.message}"`);
      } catch (err) {
        failures.push(`ipc ${channel} ${JSON.stringify(args)}: threw ${String(err)}`);
      }
    }
  }
  await server.close();
  await app.close();
  rmSync(workspace, { recursive: true, force: true });
  return { failures, count };
}

const started = performance.now();
const files = await fileCases();
const wire = await httpAndIpcCases();
const seconds = (performance.now() - started) / 1000;
const by = (o: string) => files.results.filter((r) => r.outcome === o).length;
const peak = Math.max(...files.results.map((r) => r.peakMiB));
const slowest = Math.max(...files.results.map((r) => r.ms));
const summary = {
  seed: Number(values.seed),
  fileCases: files.results.length,
  displayed: by('displayed'),
  clearErrors: by('error'),
  crashes: by('crashed') + by('process died'),
  hangs: by('hang'),
  httpIpcCases: wire.count,
  peakMiB: peak,
  slowestCaseMs: Math.round(slowest),
  seconds: Math.round(seconds),
};
const failures = [...files.failures, ...wire.failures];
for (const f of failures) process.stderr.write(`FAIL ${f}\n`);
process.stdout.write(`${JSON.stringify(summary)}\n`);
process.exitCode = failures.length === 0 ? 0 : 1;

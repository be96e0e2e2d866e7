// Where a worker thread's code lives, from sources or from the build; shared by every
// worker (training, frame decoding). From sources (vitest, tsx) a worker starts as
// dev-entry.mjs, which registers tsx in that thread and imports the TypeScript entry (a
// worker's `--import tsx` does not reach its entry module on Node 20); from the
// electron-vite build it is the entry's own bundle next to the main entry (the caller may
// sit in a chunk one folder below it).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export interface WorkerScript {
  /** Bundle file name: an input of the main build in electron.vite.config.ts. */
  bundle: string;
  /** Absolute path of the TypeScript entry, run when this code runs from sources. */
  source: string;
}

export interface WorkerLaunch {
  url: URL;
  /** Leading worker argv (the TypeScript entry, for dev-entry.mjs). */
  argv: string[];
}

const DEV_ENTRY = join(dirname(fileURLToPath(import.meta.url)), 'dev-entry.mjs');

/** `moduleUrl`: where this code runs from (a .ts source, or the bundle/chunk); for tests. */
export function workerLaunch(script: WorkerScript, moduleUrl: string = import.meta.url): WorkerLaunch {
  const here = fileURLToPath(moduleUrl);
  if (here.endsWith('.ts')) return { url: pathToFileURL(DEV_ENTRY), argv: [script.source] };
  for (const dir of [dirname(here), dirname(dirname(here))]) {
    const candidate = join(dir, script.bundle);
    if (existsSync(candidate)) return { url: pathToFileURL(candidate), argv: [] };
  }
  throw new Error(`worker bundle ${script.bundle} not found near ${here}`);
}

export function startWorker(script: WorkerScript, options: WorkerOptions = {}): Worker {
  const { url, argv } = workerLaunch(script);
  return new Worker(url, { ...options, argv: [...argv, ...(options.argv ?? [])] });
}

/** The source path of a worker entry beside the calling module (`import.meta.url`). */
export function besideModule(moduleUrl: string, file: string): string {
  return join(dirname(fileURLToPath(moduleUrl)), file);
}

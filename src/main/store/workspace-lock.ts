// One writing process per workspace folder: the app, `nextmask serve` and the CLI all take this
// lock file before their first write, so a second instance on the same NEXTMASK_WORKSPACE is told
// who holds it instead of interleaving its saves. Threads of one process share the holder's lock
// (SQLite serialises them, the per-study version catches stale writers).
import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { UserFacingError } from '../errors';

export const LOCK_FILE = 'nextmask.lock';

interface Holder {
  pid: number;
  host: string;
  /** What holds it, e.g. "nextmask serve". */
  what: string;
  since: string;
}

export class WorkspaceLockedError extends UserFacingError {
  constructor(
    readonly dir: string,
    readonly holder: Holder,
  ) {
    super(
      `the workspace ${dir} is in use by ${holder.what} (process ${holder.pid} on ${holder.host}, since ${holder.since}): ` +
        `close it first, or set NEXTMASK_WORKSPACE to another folder. If that process is gone, delete ${join(dir, LOCK_FILE)}.`,
    );
    this.name = 'WorkspaceLockedError';
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    if (typeof holder.pid !== 'number' || typeof holder.host !== 'string') return undefined;
    return {
      pid: holder.pid,
      host: holder.host,
      what: String(holder.what ?? 'another NextMask'),
      since: String(holder.since ?? '?'),
    };
  } catch {
    return undefined; // half-written or removed meanwhile: treated as no holder
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function describeSelf(): string {
  const script = process.argv.slice(1, 3).join(' ');
  return process.versions.electron ? 'the NextMask app' : `nextmask (${script || process.argv0})`;
}

export interface WorkspaceLock {
  release(): void;
}

/**
 * Takes the workspace's lock for this process, or throws WorkspaceLockedError naming the holder.
 * Worker threads only check: the lock belongs to the process, and its main thread releases it.
 */
export function lockWorkspace(dir: string): WorkspaceLock {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    const holder = readHolder(path);
    if (holder && holder.pid === process.pid && holder.host === hostname()) return sharedRelease(path);
    if (holder && !(holder.host === hostname() && !alive(holder.pid))) throw new WorkspaceLockedError(dir, holder);
    if (!isMainThread) return { release: () => {} };
    if (holder) rmSync(path, { force: true }); // stale: its process is gone
    // Written whole to a private name, then linked into place: link() fails if the lock exists, so of
    // two processes racing here exactly one wins, and nobody ever reads a half-written lock.
    const self: Holder = { pid: process.pid, host: hostname(), what: describeSelf(), since: new Date().toISOString() };
    const temp = `${path}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify(self));
    try {
      linkSync(temp, path);
      return sharedRelease(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      rmSync(temp, { force: true });
    }
  }
  throw new WorkspaceLockedError(dir, readHolder(path) ?? { pid: 0, host: '?', what: 'another NextMask', since: '?' });
}

// Several Workspace objects of one process may hold the same folder; the last release removes the file.
const holders = new Map<string, number>();

function sharedRelease(path: string): WorkspaceLock {
  holders.set(path, (holders.get(path) ?? 0) + 1);
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      const left = (holders.get(path) ?? 1) - 1;
      if (left > 0) return void holders.set(path, left);
      holders.delete(path);
      if (readHolder(path)?.pid === process.pid) rmSync(path, { force: true });
    },
  };
}

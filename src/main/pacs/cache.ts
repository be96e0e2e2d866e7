// The workspace's cache of retrieved series: one folder per series, one Part 10 file per instance
// named by its SOP Instance UID. A file appears whole or not at all (written beside, then renamed),
// so an interrupted retrieve resumes by fetching only the files that are missing, and nothing is
// duplicated. Over its size limit the cache drops the least recently used series, except the ones
// `keep` names (open in the viewer, annotations not yet sent back).
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const CACHE_FOLDER = 'pacs-cache';
/** Touched on every use: its mtime is the series' last use. */
const USED_MARK = '.used';
const PARTIAL = '.partial';

export interface CachedSeries {
  seriesInstanceUid: string;
  bytes: number;
  lastUsed: number;
}

function safeName(uid: string): string {
  if (!/^[0-9.]{1,64}$/.test(uid)) throw new Error(`not a DICOM UID: ${JSON.stringify(uid)}`);
  return uid;
}

export class SeriesCache {
  constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly keep: (seriesInstanceUid: string) => boolean | Promise<boolean>,
  ) {}

  folder(seriesInstanceUid: string): string {
    return join(this.dir, safeName(seriesInstanceUid));
  }

  path(seriesInstanceUid: string, sopInstanceUid: string): string {
    return join(this.folder(seriesInstanceUid), `${safeName(sopInstanceUid)}.dcm`);
  }

  has(seriesInstanceUid: string, sopInstanceUid: string): boolean {
    return existsSync(this.path(seriesInstanceUid, sopInstanceUid));
  }

  async put(seriesInstanceUid: string, sopInstanceUid: string, bytes: Uint8Array): Promise<string> {
    const path = this.path(seriesInstanceUid, sopInstanceUid);
    await mkdir(this.folder(seriesInstanceUid), { recursive: true });
    const tmp = `${path}${PARTIAL}`;
    await writeFile(tmp, bytes);
    await rename(tmp, path);
    return path;
  }

  /** The complete files of a series, by name. */
  async files(seriesInstanceUid: string): Promise<string[]> {
    const folder = this.folder(seriesInstanceUid);
    if (!existsSync(folder)) return [];
    return (await readdir(folder))
      .filter((f) => f.endsWith('.dcm'))
      .sort()
      .map((f) => join(folder, f));
  }

  async touch(seriesInstanceUid: string): Promise<void> {
    const mark = join(this.folder(seriesInstanceUid), USED_MARK);
    await mkdir(this.folder(seriesInstanceUid), { recursive: true });
    const now = new Date();
    await utimes(mark, now, now).catch(() => writeFile(mark, ''));
  }

  async list(): Promise<CachedSeries[]> {
    if (!existsSync(this.dir)) return [];
    const out: CachedSeries[] = [];
    for (const uid of await readdir(this.dir)) {
      const folder = join(this.dir, uid);
      let bytes = 0;
      let lastUsed = 0;
      for (const f of await readdir(folder)) {
        const s = await stat(join(folder, f));
        if (f === USED_MARK) lastUsed = s.mtimeMs;
        else bytes += s.size;
      }
      out.push({ seriesInstanceUid: uid, bytes, lastUsed });
    }
    return out;
  }

  /** Removes least recently used series until the cache fits, sparing `keep`'s; returns what went. */
  async evict(): Promise<string[]> {
    const series = (await this.list()).sort((a, b) => a.lastUsed - b.lastUsed);
    let total = series.reduce((sum, s) => sum + s.bytes, 0);
    const evicted: string[] = [];
    for (const s of series) {
      if (total <= this.maxBytes) break;
      if (await this.keep(s.seriesInstanceUid)) continue;
      await rm(join(this.dir, s.seriesInstanceUid), { recursive: true, force: true });
      total -= s.bytes;
      evicted.push(s.seriesInstanceUid);
    }
    return evicted;
  }
}

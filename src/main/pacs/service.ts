// The PACS side of the app: connections and their secrets, search, retrieve into the workspace's
// cache (then opened through the image library like any local folder, so nothing downstream knows
// where a series came from) and send-back of the SEG the app writes, through the outbox.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  OutboxItem,
  PacsConnection,
  PacsConnectionView,
  RetrieveResult,
  SendResult,
  SentInstance,
  StudyQuery,
} from '../../shared/pacs-types';
import type { OpenResult, SeriesSummary } from '../../shared/viewer-types';
import { UserFacingError } from '../errors';
import { readInputFile } from '../files/read-input';
import { items, readDataset, str } from '../seg/dicom-file';
import { CACHE_FOLDER, SeriesCache } from './cache';
import { PacsClient } from './client';
import { ConnectionStore } from './connections';
import { OUTBOX_FOLDER, Outbox } from './outbox';
import { type Retrieved, type RetrieveProgress, retrieveSeries, type SeriesIds } from './retrieve';
import type { SecretStore } from './secrets';

export const SENT_FILE = 'pacs-sent.json';
/** NEXTMASK_PACS_CACHE_MB, else 4 GiB. */
export function cacheLimitFromEnv(): number {
  const mb = Number(process.env.NEXTMASK_PACS_CACHE_MB);
  return (Number.isFinite(mb) && mb > 0 ? mb : 4096) * 1024 * 1024;
}

export interface PacsDeps {
  /** The workspace folder: connections, cache, outbox and send records live in it. */
  dir: string;
  secrets: SecretStore;
  images: { open(paths: string[]): Promise<OpenResult>; list(): SeriesSummary[] };
  /** Writes the series' saved segments as a DICOM SEG (optionally de-identified) at `path`. */
  exportSeg(seriesId: string, path: string, deidentify: boolean): Promise<{ path: string }>;
  /** When the segments of a series were last saved (ISO time), or null. */
  lastSaved(seriesInstanceUid: string): string | null;
  cacheBytes: number;
}

export class PacsService {
  readonly connections: ConnectionStore;
  readonly cache: SeriesCache;
  readonly outbox: Outbox;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: PacsDeps) {
    this.connections = new ConnectionStore(deps.dir);
    this.cache = new SeriesCache(join(deps.dir, CACHE_FOLDER), deps.cacheBytes, (uid) => this.keep(uid));
    this.outbox = new Outbox(join(deps.dir, OUTBOX_FOLDER));
  }

  /** A series stays cached while it is open or has annotations saved since it was last sent back. */
  private async keep(seriesInstanceUid: string): Promise<boolean> {
    if (this.deps.images.list().some((s) => s.seriesInstanceUid === seriesInstanceUid)) return true;
    if ((await this.outbox.list()).some((item) => item.seriesInstanceUid === seriesInstanceUid)) return true;
    const saved = this.deps.lastSaved(seriesInstanceUid);
    const sent = this.sentTimes()[seriesInstanceUid];
    return saved !== null && (sent === undefined || saved > sent);
  }

  private sentTimes(): Record<string, string> {
    const path = join(this.deps.dir, SENT_FILE);
    return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>) : {};
  }

  list(): PacsConnectionView[] {
    return this.connections.list().map((c) => ({ ...c, hasSecret: this.deps.secrets.get(c.name) !== undefined }));
  }

  save(connection: PacsConnection, secret?: string): PacsConnectionView[] {
    this.connections.put(connection);
    if (secret !== undefined) this.deps.secrets.set(connection.name, secret);
    return this.list();
  }

  remove(name: string): PacsConnectionView[] {
    this.connections.delete(name);
    this.deps.secrets.delete(name);
    return this.list();
  }

  /** A client for a saved connection (by name) or for given values; `secret` instead of the stored one. */
  client(connection: string | PacsConnection, secret?: string): PacsClient {
    const c = typeof connection === 'string' ? this.connections.get(connection) : connection;
    return new PacsClient(c, secret ?? this.deps.secrets.get(c.name));
  }

  /** A saved connection, or values not saved yet (the settings form's, so they can be tried before Save). */
  test(connection: string | PacsConnection, signal?: AbortSignal, secret?: string) {
    return this.client(connection, secret).test(signal);
  }

  studies(name: string | PacsConnection, query: StudyQuery, signal?: AbortSignal) {
    return this.client(name).searchStudies(query, signal);
  }

  series(name: string | PacsConnection, studyInstanceUid: string, signal?: AbortSignal) {
    return this.client(name).searchSeries(studyInstanceUid, signal);
  }

  /** Fetches what the cache lacks (instances the server cannot deliver are listed, not fatal). */
  async fetch(
    name: string | PacsConnection,
    ids: SeriesIds,
    options: { signal?: AbortSignal; onProgress?: (p: RetrieveProgress) => void } = {},
  ): Promise<Retrieved> {
    const got = await retrieveSeries(this.client(name), this.cache, ids, options);
    if (got.paths.length === 0) {
      const why = got.failed[0]?.reason ?? 'the series has no instances on the server';
      throw new UserFacingError(`nothing retrieved: ${why}`);
    }
    return got;
  }

  /** Fetches, then opens what the cache has like any local folder; then trims the cache to its limit. */
  async retrieve(
    name: string | PacsConnection,
    ids: SeriesIds,
    options: { signal?: AbortSignal; onProgress?: (p: RetrieveProgress) => void } = {},
  ): Promise<RetrieveResult> {
    const got = await this.fetch(name, ids, options);
    const opened = await this.deps.images.open(got.paths);
    await this.cache.evict();
    return { opened, fetched: got.fetched, cached: got.cached, failed: got.failed };
  }

  /** The series' saved segments as a SEG (de-identified when asked), queued and sent with anything still queued. */
  async sendSeries(name: string, seriesId: string, deidentify: boolean): Promise<SendResult> {
    await mkdir(this.outbox.dir, { recursive: true });
    // Named .dcm so the export keeps the name as given; the outbox lists only its .json records.
    let written = join(this.outbox.dir, `export-${process.pid}-${Date.now()}.dcm`);
    try {
      written = (await this.deps.exportSeg(seriesId, written, deidentify)).path;
      return await this.sendBytes(name, await readFile(written), deidentify);
    } finally {
      await rm(written, { force: true });
    }
  }

  /** A SEG file from disk (the CLI's `pacs send`). */
  async sendFile(name: string | PacsConnection, path: string): Promise<SendResult> {
    const bytes = await readInputFile(path).catch((err: Error) => {
      throw new UserFacingError(`cannot read ${path}: ${err.message}`);
    });
    return this.sendBytes(name, bytes, false);
  }

  private async sendBytes(
    name: string | PacsConnection,
    bytes: Uint8Array,
    deidentified: boolean,
  ): Promise<SendResult> {
    const ds = await readDataset(bytes);
    const sopInstanceUid = str(ds.SOPInstanceUID);
    if (!sopInstanceUid) throw new UserFacingError('the file has no SOP Instance UID: not a DICOM object to send');
    const referenced = str(items(ds.ReferencedSeriesSequence)[0]?.SeriesInstanceUID) ?? str(ds.SeriesInstanceUID) ?? '';
    const client = this.client(name);
    await this.outbox.add(bytes, {
      connection: client.connection.name,
      sopInstanceUid,
      seriesInstanceUid: referenced,
      deidentified,
    });
    return this.flush(client);
  }

  /** Sends every queued item of this connection in one request. */
  sendQueued(connection: string | PacsConnection, signal?: AbortSignal): Promise<SendResult> {
    return this.flush(this.client(connection), signal);
  }

  private async flush(client: PacsClient, signal?: AbortSignal): Promise<SendResult> {
    const queued = (await this.outbox.list()).filter((item) => item.connection === client.connection.name);
    const instances = await this.outbox.send(client, queued, signal);
    await this.recordSent(queued, instances);
    return { instances, outbox: await this.outbox.list() };
  }

  private async recordSent(queued: OutboxItem[], results: SentInstance[]): Promise<void> {
    const sent = this.sentTimes();
    const now = new Date().toISOString();
    let changed = false;
    for (const [i, item] of queued.entries()) {
      if (results[i]?.ok && item.seriesInstanceUid) {
        sent[item.seriesInstanceUid] = now;
        changed = true;
      }
    }
    if (changed) await writeFile(join(this.deps.dir, SENT_FILE), JSON.stringify(sent, null, 2));
  }

  /** Sends everything queued, connection by connection; a connection that is gone stays queued. */
  async retry(signal?: AbortSignal): Promise<SendResult> {
    const names = [...new Set((await this.outbox.list()).map((item) => item.connection))];
    const instances: SentInstance[] = [];
    for (const name of names) {
      try {
        instances.push(...(await this.flush(this.client(name), signal)).instances);
      } catch (err) {
        if (signal?.aborted) throw err;
      }
    }
    return { instances, outbox: await this.outbox.list() };
  }

  /** Retries the outbox every `ms` while anything is queued (the desktop app and `nextmask serve`). */
  startRetrying(ms: number): void {
    this.retryTimer ??= setInterval(() => {
      void this.outbox
        .list()
        .then((queued) => (queued.length ? this.retry() : undefined))
        .catch(() => undefined);
    }, ms);
    this.retryTimer.unref();
  }

  close(): void {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.retryTimer = null;
  }
}

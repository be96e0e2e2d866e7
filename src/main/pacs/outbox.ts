// SEGs waiting to go to a PACS: each one a Part 10 file and its record in the workspace's
// pacs-outbox folder. A send that fails leaves both there; retry() sends them again, and an
// acknowledged instance is removed. So nothing the user asked to send is lost to a network failure.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutboxItem, SentInstance } from '../../shared/pacs-types';
import type { PacsClient } from './client';

export const OUTBOX_FOLDER = 'pacs-outbox';

export class Outbox {
  constructor(readonly dir: string) {}

  private file(id: string, ext: '.dcm' | '.json'): string {
    return join(this.dir, `${id}${ext}`);
  }

  /** Queues a copy of `bytes`; the record names the connection to send it to. */
  async add(
    bytes: Uint8Array,
    meta: Pick<OutboxItem, 'connection' | 'sopInstanceUid' | 'seriesInstanceUid' | 'deidentified'>,
  ): Promise<OutboxItem> {
    await mkdir(this.dir, { recursive: true });
    const item: OutboxItem = {
      id: randomUUID(),
      ...meta,
      attempts: 0,
      lastError: '',
      queuedAt: new Date().toISOString(),
    };
    await writeFile(this.file(item.id, '.dcm'), bytes);
    await this.save(item);
    return item;
  }

  private async save(item: OutboxItem): Promise<void> {
    const path = this.file(item.id, '.json');
    await writeFile(`${path}.partial`, JSON.stringify(item, null, 2));
    await rename(`${path}.partial`, path);
  }

  async list(): Promise<OutboxItem[]> {
    if (!existsSync(this.dir)) return [];
    const records = (await readdir(this.dir)).filter((f) => f.endsWith('.json'));
    const items = await Promise.all(
      records.map(async (f) => JSON.parse(await readFile(join(this.dir, f), 'utf8')) as OutboxItem),
    );
    return items.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  }

  /** Sends `items` (all to `client`'s connection) in one STOW-RS request; keeps the failures queued. */
  async send(client: PacsClient, items: OutboxItem[], signal?: AbortSignal): Promise<SentInstance[]> {
    if (items.length === 0) return [];
    const files = await Promise.all(
      items.map(async (item) => ({
        sopInstanceUid: item.sopInstanceUid,
        bytes: await readFile(this.file(item.id, '.dcm')),
      })),
    );
    const results = await client.store(files, signal);
    for (const [i, item] of items.entries()) {
      const result = results[i] as SentInstance;
      if (result.ok) {
        await rm(this.file(item.id, '.json'), { force: true });
        await rm(this.file(item.id, '.dcm'), { force: true });
      } else {
        await this.save({ ...item, attempts: item.attempts + 1, lastError: result.reason ?? 'not sent' });
      }
    }
    return results;
  }
}

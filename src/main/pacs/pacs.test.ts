// The PACS pieces that need no server: QIDO-RS parameters and page sorting, the cache's LRU eviction
// with its protected series, and secrets that never reach the disk in plain text.
import { execFileSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PacsStudy } from '../../shared/pacs-types';
import type { SeriesSummary } from '../../shared/viewer-types';
import { SeriesCache } from './cache';
import { type Cipher, EncryptedSecrets, MemorySecrets, SECRETS_FILE } from './secrets';
import { PacsService, SENT_FILE } from './service';
import { sortStudies, studyQueryParams } from './study-query';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nextmask-pacs-unit-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('study search parameters', () => {
  it('turns the form into QIDO-RS matching keys', () => {
    const { params, offset, limit } = studyQueryParams({
      patientName: ' DOE ',
      patientId: '123',
      dateFrom: '20200101',
      modality: 'CT',
      accession: 'A1',
      description: 'CHEST*',
      offset: 50,
      limit: 25,
    });
    expect({ offset, limit }).toEqual({ offset: 50, limit: 25 });
    expect(params).toMatchObject({
      PatientName: 'DOE*',
      PatientID: '123',
      StudyDate: '20200101-',
      ModalitiesInStudy: 'CT',
      AccessionNumber: 'A1',
      StudyDescription: 'CHEST*',
      offset: '50',
      limit: '25',
    });
    expect(studyQueryParams({}).params).not.toHaveProperty('PatientName');
  });

  it('sorts a page newest first by default, or by the column asked', () => {
    const study = (patientName: string, studyDate: string) => ({ patientName, studyDate }) as PacsStudy;
    const page = [study('B', '20200101'), study('A', '20210101'), study('C', '20190101')];
    expect(sortStudies(page, {}).map((s) => s.studyDate)).toEqual(['20210101', '20200101', '20190101']);
    expect(sortStudies(page, { sortBy: 'patientName' }).map((s) => s.patientName)).toEqual(['A', 'B', 'C']);
    expect(sortStudies(page, { sortBy: 'patientName', descending: true }).map((s) => s.patientName)).toEqual([
      'C',
      'B',
      'A',
    ]);
  });
});

describe('the series cache', () => {
  const series = ['1.1', '1.2', '1.3'];
  async function fill(cache: SeriesCache): Promise<void> {
    for (const [i, uid] of series.entries()) {
      await cache.put(uid, `${uid}.1`, new Uint8Array(1000));
      await cache.touch(uid);
      const when = new Date(Date.UTC(2020, 0, i + 1));
      await utimes(join(cache.folder(uid), '.used'), when, when);
    }
  }

  it('drops the least recently used series until it fits', async () => {
    const cache = new SeriesCache(dir, 2000, () => false);
    await fill(cache);
    expect(await cache.evict()).toEqual(['1.1']);
    expect((await cache.list()).map((s) => s.seriesInstanceUid).sort()).toEqual(['1.2', '1.3']);
  });

  it('never drops a series it is told to keep', async () => {
    const cache = new SeriesCache(dir, 1000, (uid) => uid === '1.1');
    await fill(cache);
    expect(await cache.evict()).toEqual(['1.2', '1.3']);
    expect(await cache.files('1.1')).toHaveLength(1);
  });

  it('refuses a name that is not a UID (no path tricks)', () => {
    const cache = new SeriesCache(dir, 1000, () => false);
    expect(() => cache.path('../etc', '1.2')).toThrow('not a DICOM UID');
  });
});

describe('what the PACS cache keeps', () => {
  it('spares the open series and one with segments saved since its last send-back', async () => {
    let saved = '2026-01-02T00:00:00.000Z';
    const service = new PacsService({
      dir,
      secrets: new MemorySecrets(),
      images: {
        open: () => Promise.reject(new Error('not opened here')),
        list: () => [{ seriesInstanceUid: '1.1' } as SeriesSummary],
      },
      exportSeg: () => Promise.reject(new Error('not sent here')),
      lastSaved: (uid) => (uid === '1.2' ? saved : null),
      cacheBytes: 0,
    });
    for (const uid of ['1.1', '1.2', '1.3']) await service.cache.put(uid, `${uid}.1`, new Uint8Array(10));
    expect(await service.cache.evict()).toEqual(['1.3']);
    await writeFile(join(dir, SENT_FILE), JSON.stringify({ '1.2': '2026-01-03T00:00:00.000Z' }));
    expect(await service.cache.evict()).toEqual(['1.2']);
    saved = '2026-01-04T00:00:00.000Z';
    await service.cache.put('1.2', '1.2.1', new Uint8Array(10));
    expect(await service.cache.evict()).toEqual([]);
  });
});

describe('sending a file', () => {
  it('refuses a pipe named as the file at once, instead of waiting on it', async () => {
    const fifo = join(dir, 'seg-fifo');
    execFileSync('mkfifo', [fifo]);
    const service = new PacsService({
      dir,
      secrets: new MemorySecrets(),
      images: { open: () => Promise.reject(new Error('not opened here')), list: () => [] },
      exportSeg: () => Promise.reject(new Error('not sent here')),
      lastSaved: () => null,
      cacheBytes: 0,
    });
    await expect(service.sendFile('nowhere', fifo)).rejects.toThrow(
      `cannot read ${fifo}: a pipe (FIFO), not a file that can be opened`,
    );
  });
});

describe('encrypted secrets', () => {
  // A real cipher (AES-GCM under a random key), standing where Electron's safeStorage stands in the app.
  const key = randomBytes(32);
  const aes: Cipher = {
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(sealed) {
      const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12));
      d.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
    },
  };

  it('keeps the secret only as ciphertext in the workspace', async () => {
    const store = new EncryptedSecrets(dir, aes);
    store.set('pacs', 'correct horse battery staple');
    expect(await readFile(join(dir, SECRETS_FILE), 'utf8')).not.toContain('horse');
    expect(new EncryptedSecrets(dir, aes).get('pacs')).toBe('correct horse battery staple');
    store.delete('pacs');
    expect(store.get('pacs')).toBeUndefined();
  });
});

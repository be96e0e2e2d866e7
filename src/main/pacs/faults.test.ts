// What goes wrong with a PACS, against a real Orthanc: a wrong password, the server going down in
// the middle of a retrieve (and the retrieve resumed after it comes back), an instance the server
// lists but cannot deliver, and a server too slow to answer.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PacsConnection } from '../../shared/pacs-types';
import { parseDataSet } from '../dicom/parse';
import { filesUnder, freePort, hasOrthanc, type Orthanc, startOrthanc } from '../testing/orthanc';
import { sharedPath } from '../testing/shared-data';
import { timerGaps } from '../testing/timer-gaps';
import { MemorySecrets } from './secrets';
import { PacsService } from './service';

const MR = sharedPath('dicom', 'mr-brain-series');
const CT = sharedPath('dicom', 'ct-3slice-with-seg');

async function uids(path: string) {
  const { readFile } = await import('node:fs/promises');
  const ds = await parseDataSet(await readFile(path));
  return {
    studyInstanceUid: ds.string('x0020000d') ?? '',
    seriesInstanceUid: ds.string('x0020000e') ?? '',
    sopInstanceUid: ds.string('x00080018') ?? '',
  };
}

describe.skipIf(!hasOrthanc() && !process.env.CI)('PACS faults against Orthanc', () => {
  let orthanc: Orthanc;
  let dir: string;
  let service: PacsService;
  let connection: PacsConnection;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nextmask-pacs-faults-'));
    orthanc = await startOrthanc();
    const files = [...(await filesUnder(MR)), ...(await filesUnder(CT)).filter((p) => /\/0\d\.dcm$/.test(p))];
    expect(await orthanc.upload(files)).toBe(23);
    const secrets = new MemorySecrets();
    service = new PacsService({
      dir,
      secrets,
      images: { open: () => Promise.reject(new Error('not opened here')), list: () => [] },
      exportSeg: () => Promise.reject(new Error('not sent here')),
      lastSaved: () => null,
      cacheBytes: 1 << 30,
    });
    connection = {
      name: 'orthanc',
      baseUrl: orthanc.dicomWeb,
      auth: 'basic',
      username: orthanc.user,
      timeoutMs: 10_000,
    };
    service.save(connection, orthanc.password);
  }, 60_000);

  afterAll(async () => {
    await orthanc?.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('says the password is wrong when the server refuses it', async () => {
    await expect(service.test('orthanc')).resolves.toMatchObject({ message: expect.stringMatching(/connected/) });
    service.save({ ...connection, name: 'wrong' }, 'not the password');
    await expect(service.test('wrong')).rejects.toThrow(
      'wrong: test: the server refused the credentials (HTTP 401); check the user name and password',
    );
  });

  it('resumes a retrieve cut by a server crash, fetching only what is missing', async () => {
    const ids = await uids(join(MR, 'brain_002.dcm'));
    let killed = false;
    const first = await service.fetch('orthanc', ids, {
      onProgress: ({ done }) => {
        if (done >= 3 && !killed) {
          killed = true;
          orthanc.kill();
        }
      },
    });
    expect(first.fetched).toBeGreaterThanOrEqual(3);
    expect(first.fetched).toBeLessThan(20);
    expect(first.failed.length).toBe(20 - first.fetched);
    expect(first.failed[0]?.reason).toMatch(/connection refused|closed the connection/);

    await orthanc.start();
    const second = await service.fetch('orthanc', ids);
    expect(second).toMatchObject({ cached: first.fetched, fetched: 20 - first.fetched, failed: [] });
    const folder = service.cache.folder(ids.seriesInstanceUid);
    const files = (await readdir(folder)).filter((f) => !f.startsWith('.'));
    expect(files).toHaveLength(20);
    expect(files.every((f) => f.endsWith('.dcm'))).toBe(true);
    const again = await service.fetch('orthanc', ids);
    expect(again).toMatchObject({ cached: 20, fetched: 0, failed: [] });
  }, 60_000);

  it('stops a cancelled retrieve, keeping what arrived for the next one', async () => {
    const ids = await uids(join(MR, 'brain_002.dcm'));
    await rm(service.cache.folder(ids.seriesInstanceUid), { recursive: true, force: true });
    const controller = new AbortController();
    let arrived = 0;
    await expect(
      service.fetch('orthanc', ids, {
        signal: controller.signal,
        onProgress: ({ done }) => {
          arrived = done;
          if (done >= 2) controller.abort();
        },
      }),
    ).rejects.toMatchObject({ name: 'AbortError' });
    const kept = (await service.cache.files(ids.seriesInstanceUid)).length;
    expect(kept).toBeGreaterThanOrEqual(2);
    expect(kept).toBeLessThan(20);
    expect(arrived).toBeLessThan(20);
    const rest = await service.fetch('orthanc', ids);
    expect(rest).toMatchObject({ cached: kept, fetched: 20 - kept, failed: [] });
  });

  it('keeps a SEG that could not be sent in the outbox and sends it on retry', async () => {
    const seg = join(CT, 'seg-liver.dcm');
    const { sopInstanceUid } = await uids(seg);
    await orthanc.stop();
    try {
      const failed = await service.sendFile('orthanc', seg);
      expect(failed.instances).toEqual([
        { sopInstanceUid, ok: false, reason: 'orthanc: send: connection refused (is the server running?)' },
      ]);
      expect(failed.outbox).toMatchObject([{ sopInstanceUid, connection: 'orthanc', attempts: 1 }]);
    } finally {
      await orthanc.start();
    }
    const retried = await service.retry();
    expect(retried).toEqual({ instances: [{ sopInstanceUid, ok: true }], outbox: [] });
    const series = await service.series('orthanc', (await uids(seg)).studyInstanceUid);
    expect(series.map((s) => s.modality)).toContain('SEG');
  });

  it('lists an instance the server cannot deliver and brings the rest', async () => {
    const broken = await uids(join(CT, '02.dcm'));
    await orthanc.breakInstance(broken.sopInstanceUid);
    const got = await service.fetch('orthanc', broken);
    expect(got.fetched).toBe(2);
    expect(got.failed.map((f) => f.sopInstanceUid)).toEqual([broken.sopInstanceUid]);
    expect(got.failed[0]?.reason).toBe(
      `orthanc: retrieve of ${broken.sopInstanceUid}: the server sent a damaged file (its pixel data is cut short)`,
    );
    expect(existsSync(service.cache.path(broken.seriesInstanceUid, broken.sopInstanceUid))).toBe(false);
  });

  it('gives up on a server that does not answer, with a timeout message', async () => {
    // A link that holds every request for 2 s before passing it on to Orthanc.
    const port = await freePort();
    const slow: Server = createServer((req, res) => {
      setTimeout(() => {
        fetch(`${orthanc.url}${req.url}`, { headers: { authorization: req.headers.authorization ?? '' } })
          .then(async (answer) => {
            res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' });
            res.end(Buffer.from(await answer.arrayBuffer()));
          })
          .catch(() => res.destroy());
      }, 2000);
    });
    await new Promise<void>((done) => slow.listen(port, '127.0.0.1', done));
    try {
      service.save(
        { ...connection, name: 'slow', baseUrl: `http://127.0.0.1:${port}/dicom-web`, timeoutMs: 300 },
        orthanc.password,
      );
      const started = performance.now();
      await expect(service.test('slow')).rejects.toThrow(
        'slow: test: the server sent no answer within 0.3 s (timeout)',
      );
      expect(performance.now() - started).toBeLessThan(1500);
      // The same server with patience answers, and main's event loop stays free while it waits.
      service.save(
        { ...connection, name: 'slow', baseUrl: `http://127.0.0.1:${port}/dicom-web`, timeoutMs: 5000 },
        orthanc.password,
      );
      const gaps = await timerGaps(() =>
        expect(service.test('slow')).resolves.toMatchObject({ message: expect.stringMatching(/connected/) }),
      );
      // A blocked loop would show one gap as long as the server's 2 s delay.
      expect(gaps.at(-1)).toBeLessThan(1000);
    } finally {
      slow.closeAllConnections();
      await new Promise((done) => slow.close(done));
    }
  }, 30_000);
});

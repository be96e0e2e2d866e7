// Decoding in worker threads: the same frames as decodeFrame in this thread, clear per-file
// errors, and main's event loop kept responsive while the large JPEG 2000 decodes.
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, describe, expect, it } from 'vitest';
import { percentile } from '../evaluation/average';
import { frameFromGrey } from '../imaging/frame';
import { decodeRaster } from '../imaging/raster';
import { sharedPath } from '../testing/shared-data';
import { timerGaps } from '../testing/timer-gaps';
import { FrameDecoder } from './decode-client';
import { decodeFrame } from './decode-frame';
import { parseInstance } from './parse';

const J2K = sharedPath('dicom', 'chest-xray', 'RG1_J2KI.dcm');
const decoders: FrameDecoder[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(decoders.map((d) => d.close()));
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

function decoder(workers?: number): FrameDecoder {
  const d = new FrameDecoder(workers);
  decoders.push(d);
  return d;
}

describe('FrameDecoder', () => {
  it('decodes DICOM frames and rasters exactly as decodeFrame does here, from 2 workers', async () => {
    const pool = decoder(2);
    const xa = sharedPath('dicom', 'transfer-syntaxes', 'jpeg_baseline_8bit.dcm');
    const ct = sharedPath('dicom', 'misc', 'CT_small.dcm');
    const png = sharedPath('data', 'covid-qu-ex', 'train', 'covid', 'images', 'covid_359.png');
    const [xa40, ctFrame, raster, notRaster] = await Promise.all([
      pool.decode({ path: xa, frame: 40, raster: false }),
      pool.decode({ path: ct, frame: 0, raster: false }),
      pool.decode({ path: png, frame: 0, raster: true }),
      pool.decode({ path: sharedPath('data', 'README.md'), frame: 0, raster: true }).catch((e: Error) => e),
    ]);
    expect(xa40).toEqual(await decodeFrame(await parseInstance(readFileSync(xa)), 40));
    expect(ctFrame).toEqual(await decodeFrame(await parseInstance(readFileSync(ct)), 0));
    expect(ctFrame.stored).toBeInstanceOf(Int16Array);
    expect(raster).toEqual(frameFromGrey(decodeRaster(readFileSync(png))));
    // A wrong kind of file is that file's error, from the worker, and the worker lives on.
    expect(notRaster).toBeInstanceOf(Error);
    expect((await pool.decode({ path: ct, frame: 0, raster: false })).rows).toBe(128);
  });

  it('reports per-file errors clearly: missing, out of range, truncated', async () => {
    const pool = decoder(1);
    const dir = await mkdtemp(join(tmpdir(), 'nextmask-decoder-'));
    dirs.push(dir);
    const ct = sharedPath('dicom', 'misc', 'CT_small.dcm');
    const truncated = join(dir, 'truncated.dcm');
    const bytes = readFileSync(ct);
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 5000));
    await expect(pool.decode({ path: join(dir, 'gone.dcm'), frame: 0, raster: false })).rejects.toThrow(
      /no file at .*gone\.dcm/,
    );
    await expect(pool.decode({ path: ct, frame: 3, raster: false })).rejects.toThrow(/frame 3 out of range/);
    await expect(pool.decode({ path: truncated, frame: 0, raster: false })).rejects.toThrow(/truncated|too short/);
  });

  it('fails pending decodes when closed, and starts again afterwards', async () => {
    const pool = decoder(1);
    const failed = expect(pool.decode({ path: J2K, frame: 0, raster: false })).rejects.toThrow(/closed/);
    await pool.close();
    await failed;
    expect(
      (await pool.decode({ path: sharedPath('dicom', 'misc', 'CT_small.dcm'), frame: 0, raster: false })).rows,
    ).toBe(128);
  });

  it('keeps the event loop responsive while RG1_J2KI.dcm decodes', async () => {
    const instance = await parseInstance(readFileSync(J2K));
    await decodeFrame(instance, 0); // loads the codec here, for a fair control
    const t0 = performance.now();
    const blocked = Math.max(...(await timerGaps(() => decodeFrame(instance, 0))));
    const decodeMs = performance.now() - t0;

    const pool = decoder(1);
    await pool.decode({ path: J2K, frame: 0, raster: false }); // worker started, codec loaded
    let frame: Awaited<ReturnType<FrameDecoder['decode']>> | undefined;
    const gaps = await timerGaps(async () => {
      frame = await pool.decode({ path: J2K, frame: 0, raster: false });
    });

    expect([frame?.rows, frame?.columns]).toEqual([1955, 1841]);
    // The control proves the measurement can fail: decoding here stalls the timers for
    // about the whole decode.
    expect(blocked).toBeGreaterThan(0.7 * decodeMs);
    // Judged loosely: other test files share the two cores and may deschedule this thread.
    expect(gaps.length).toBeGreaterThan(10);
    expect(percentile(gaps, 0.9)).toBeLessThan(Math.max(10, blocked / 4));
    expect(percentile(gaps, 1)).toBeLessThan(Math.max(50, blocked / 2));
  }, 60_000);
});

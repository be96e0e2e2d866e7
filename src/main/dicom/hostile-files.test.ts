// Files crafted to take the app down: absurd declared sizes, decompression bombs, pipes, devices
// and link loops. Each must end in a clear error, quickly, with the event loop free meanwhile.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes, inputLimits } from '../files/limits';
import { deflatedDicomBomb } from '../testing/bombs';
import { editElement } from '../testing/dicom-edit';
import { REPO_ROOT, sharedPath } from '../testing/shared-data';
import { timerGaps } from '../testing/timer-gaps';
import { requireCjs } from './cjs';
import { decompress } from './codecs';
import { ImageLibrary } from './library';
import type { PixelModule } from './parse';

const dicomParser = requireCjs('dicom-parser') as typeof import('dicom-parser');

const dir = mkdtempSync(join(tmpdir(), 'nextmask-hostile-'));
const library = new ImageLibrary({ decodeWorkers: 1 });
const ts = (name: string) => readFileSync(sharedPath('dicom/transfer-syntaxes', name));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

async function openOne(path: string) {
  const started = performance.now();
  const result = await library.open([path]);
  return { ...result, ms: performance.now() - started };
}

beforeAll(() => {
  mkdirSync(join(dir, 'fifos'));
});
afterAll(async () => {
  await library.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('declared sizes are checked before anything is allocated', () => {
  it('refuses NumberOfFrames 2147483647 on a JPEG baseline file', async () => {
    const path = write('frames-2e9.dcm', editElement(ts('jpeg_baseline_8bit.dcm'), 0x00280008, 'IS', '2147483647'));
    const { errors, ms } = await openOne(path);
    expect(errors).toEqual([{ path, message: expect.stringMatching(/NumberOfFrames 2147483647 is above/) }]);
    expect(ms).toBeLessThan(5000);
  });

  it('refuses more frames than the compressed fragments', async () => {
    const path = write('frames-97.dcm', editElement(ts('jpeg_baseline_8bit.dcm'), 0x00280008, 'IS', '97'));
    expect((await openOne(path)).errors[0]?.message).toBe('NumberOfFrames 97 but only 96 compressed fragments');
  });

  it('refuses BitsAllocated 0 with 2e9 frames on a native file', async () => {
    let bytes = editElement(ts('explicit_little.dcm'), 0x00280100, 'US', 0);
    bytes = editElement(bytes, 0x00280008, 'IS', '2000000000');
    const { errors, ms } = await openOne(write('bits0.dcm', bytes));
    expect(errors[0]?.message).toBe('BitsAllocated 0 is not supported');
    expect(ms).toBeLessThan(5000);
  });

  it.each(['explicit_little.dcm', 'jpeg_baseline_8bit.dcm'])('refuses 1e7 frames of %s at once', async (name) => {
    const bytes = editElement(ts(name), 0x00280008, 'IS', '10000000');
    const { errors, ms } = await openOne(write(`frames-1e7-${name}`, bytes));
    expect(errors[0]?.message).toMatch(/NumberOfFrames 10000000 is above the \d+ frame limit/);
    expect(ms).toBeLessThan(5000);
  });

  it('checks native pixel data against the real file length', async () => {
    const full = ts('explicit_little.dcm');
    const { errors } = await openOne(write('cut.dcm', full.subarray(0, full.length - 1000)));
    expect(errors[0]?.message).toMatch(/too short|truncated/);
  });

  it('refuses a file above the size limit, and an image above the decoded-size ceiling', async () => {
    expect(inputLimits()).toMatchObject({ fileBytes: 2048 * 2 ** 20, decodedBytes: 8192 * 2 ** 20, frames: 20_000 });
    // Lowered limits stand in for the defaults: the same checks, without gigabyte files.
    process.env.NEXTMASK_MAX_FILE_MB = '0.25';
    process.env.NEXTMASK_MAX_DECODED_MB = '1';
    try {
      const big = await openOne(sharedPath('dicom/transfer-syntaxes/explicit_little.dcm'));
      expect(big.errors[0]?.message).toMatch(/^file is 1 MiB, above the 262144 bytes limit/);
      delete process.env.NEXTMASK_MAX_FILE_MB;
      const jpeg = await openOne(sharedPath('dicom/transfer-syntaxes/jpeg_baseline_8bit.dcm'));
      expect(jpeg.errors[0]?.message).toMatch(
        /^image decodes to .*, above the 1 MiB limit \(NEXTMASK_MAX_DECODED_MB\)/,
      );
    } finally {
      delete process.env.NEXTMASK_MAX_FILE_MB;
      delete process.env.NEXTMASK_MAX_DECODED_MB;
    }
  });

  it('opens a file of many small frames without one object per frame', async () => {
    // 4x4 8-bit frames, 5000 of them: within the limits, every frame reachable.
    let bytes = editElement(ts('explicit_little.dcm'), 0x00280010, 'US', 4);
    bytes = editElement(bytes, 0x00280011, 'US', 4);
    bytes = editElement(bytes, 0x00280100, 'US', 8);
    bytes = editElement(bytes, 0x00280101, 'US', 8);
    bytes = editElement(bytes, 0x00280102, 'US', 7);
    bytes = editElement(bytes, 0x00280008, 'IS', '5000');
    bytes = editElement(
      bytes,
      0x7fe00010,
      'OB',
      Uint8Array.from({ length: 16 * 5000 }, (_, i) => i >> 4),
    );
    const { series, errors } = await openOne(write('many-frames.dcm', bytes));
    expect(errors).toEqual([]);
    const opened = series.find((s) => s.frameCount === 5000)!;
    const last = await library.frame(opened.id, 4999);
    expect(last.info.frameInFile).toBe(4999);
    expect([...last.frame.stored]).toEqual(new Array(16).fill(4999 & 0xff));
    await expect(library.frame(opened.id, 5000)).rejects.toThrow('has no frame 5000 (it has 5000)');
  });
});

describe('decompression off the main thread, capped', () => {
  it('refuses a deflated DICOM bomb without stalling the event loop', async () => {
    const bomb = deflatedDicomBomb(ts('deflated.dcm'), 4 * 2 ** 30);
    expect(bomb.length).toBeLessThan(5 * 2 ** 20);
    const path = write('bomb.dcm', bomb);
    let result: Awaited<ReturnType<typeof openOne>> | undefined;
    expect(inputLimits().inflatedBytes).toBe(512 * 2 ** 20);
    // A lower cap than the default keeps the test quick; the limit is the same code path.
    process.env.NEXTMASK_MAX_INFLATED_MB = '64';
    const gaps = await timerGaps(async () => {
      result = await openOne(path);
    });
    delete process.env.NEXTMASK_MAX_INFLATED_MB;
    expect(result?.errors[0]?.message).toMatch(/expands to more than 64 MiB \(a decompression bomb\?\)/);
    expect(gaps.at(-1), 'longest event-loop stall, ms').toBeLessThan(1000);
  });

  it('refuses a deflated slice whose stream runs past its declared Pixel Data, at that size', async () => {
    const real = ts('deflated.dcm');
    const meta = dicomParser.readPart10Header(real) as unknown as { position: number };
    const dataSet = inflateRawSync(real.subarray(meta.position));
    // The real slice's data set, then 32 MiB more than it declares: under the global cap, past its own size.
    const stuffed = deflateRawSync(Buffer.concat([dataSet, Buffer.alloc(32 * 2 ** 20)]));
    const path = write('stuffed.dcm', Buffer.concat([real.subarray(0, meta.position), stuffed]));
    let result: Awaited<ReturnType<typeof openOne>> | undefined;
    const gaps = await timerGaps(async () => {
      result = await openOne(path);
    });
    const declaredCap = dataSet.length + 2 ** 20;
    expect(result?.errors[0]?.message).toMatch(
      /deflated DICOM data set expands to more than .* \(a decompression bomb\?\)/,
    );
    expect(result?.errors[0]?.message).toContain(formatBytes(declaredCap));
    expect(gaps.at(-1), 'longest event-loop stall, ms').toBeLessThan(1000);
  });

  it('still opens the real deflated file', async () => {
    const { errors, series } = await openOne(sharedPath('dicom/transfer-syntaxes/deflated.dcm'));
    expect(errors).toEqual([]);
    expect(series.some((s) => s.frameCount === 1)).toBe(true);
  });
});

describe('only regular files are read', () => {
  it('refuses FIFOs at once, and a FIFO never starves later opens', async () => {
    const fifos = [1, 2, 3, 4, 5].map((i) => join(dir, 'fifos', `f${i}`));
    for (const f of fifos) execFileSync('mkfifo', [f]);
    const { errors, ms } = await openOne(fifos[0]!);
    expect(errors[0]?.message).toMatch(/a pipe \(FIFO\)/);
    expect(ms).toBeLessThan(5000);
    // Five opens at once: a blocking open would hold a libuv thread each and hang every later read.
    const all = await Promise.all(fifos.map((f) => library.open([f])));
    expect(all.flatMap((r) => r.errors)).toHaveLength(5);
    const real = await openOne(sharedPath('dicom/transfer-syntaxes/explicit_little.dcm'));
    expect(real.errors).toEqual([]);
    // Inside a folder they are skipped, not read.
    expect((await library.open([join(dir, 'fifos')])).errors).toEqual([]);
  });

  it('refuses devices', async () => {
    for (const device of ['/dev/zero', '/dev/null']) {
      const { errors } = await openOne(device);
      expect(errors[0]?.message).toMatch(/a device/);
    }
  });

  it('walks a folder with links back to itself once', async () => {
    const loop = join(dir, 'loop', 'inner');
    mkdirSync(loop, { recursive: true });
    writeFileSync(join(loop, 'image.dcm'), ts('explicit_little.dcm'));
    symlinkSync('.', join(loop, 'a'));
    symlinkSync('.', join(loop, 'b'));
    symlinkSync('..', join(loop, 'up'));
    symlinkSync(loop, join(loop, 'self'));
    const fresh = new ImageLibrary({ decodeWorkers: 1 });
    const started = performance.now();
    const { series, errors } = await fresh.open([join(dir, 'loop')]);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(errors).toEqual([]);
    expect(series.map((s) => s.instanceCount)).toEqual([1]);
    await fresh.close();
  });

  it('the CLI refuses a FIFO instead of hanging', async () => {
    const fifo = join(dir, 'cli-fifo');
    execFileSync('mkfifo', [fifo]);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'src/cli/nextmask.ts'),
        'segment',
        fifo,
        '--prompt',
        'lung',
        '--out',
        join(dir, 'x.png'),
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    clearTimeout(timer);
    expect(code).toBe(1);
    expect(stderr).toMatch(/a pipe \(FIFO\)/);
  }, 90_000);
});

describe('codec failures', () => {
  it('say what failed in words, not as a bare number', async () => {
    const pixel: PixelModule = {
      rows: 64,
      columns: 64,
      samplesPerPixel: 1,
      photometric: 'MONOCHROME2',
      bitsAllocated: 8,
      bitsStored: 8,
      highBit: 7,
      pixelRepresentation: 0,
      planarConfiguration: 0,
      frames: 1,
    };
    const garbage = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xc0]), Buffer.alloc(100, 7)]);
    await expect(decompress('jpeg-baseline', garbage, pixel)).rejects.toThrow(
      'the JPEG image data cannot be decoded (damaged or not JPEG)',
    );
    await expect(decompress('jpeg-ls', garbage, pixel)).rejects.toThrow(
      'the JPEG-LS image data cannot be decoded (damaged or not JPEG-LS)',
    );
  });
});

import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePngGrey } from '../imaging/raster';
import { sharedPath } from '../testing/shared-data';
import { ImageLibrary } from './library';

const MR = sharedPath('dicom', 'mr-brain-series');
const mrFile = (n: number) => join(MR, `brain_${String(n).padStart(3, '0')}.dcm`);

describe('ImageLibrary: the MR series', () => {
  let dir: string;
  beforeAll(() => {
    // Copies named in reverse, so file-name order is the opposite of slice order.
    dir = mkdtempSync(join(tmpdir(), 'nextmask-mr-'));
    for (let n = 1; n <= 20; n++) copyFileSync(mrFile(n), join(dir, `slice_${String(21 - n).padStart(2, '0')}.dcm`));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('groups the 20 files into one series sorted along the slice normal', async () => {
    const library = new ImageLibrary();
    const { series, errors } = await library.open([dir]);
    expect(errors).toEqual([]);
    expect(series).toHaveLength(1);
    const [mr] = series;
    expect(mr).toMatchObject({
      kind: 'image',
      modality: 'MR',
      frameCount: 20,
      instanceCount: 20,
      sortedBy: 'position',
    });
    const positions: number[] = [];
    for (let i = 0; i < 20; i++) {
      const { info, frame } = await library.frame(mr!.id, i);
      expect(info.instanceNumber).toBe(i + 1);
      expect(basename(info.path)).toBe(`slice_${String(20 - i).padStart(2, '0')}.dcm`);
      expect(frame.rows).toBe(256);
      positions.push(info.slicePosition!);
    }
    for (let i = 1; i < 20; i++) expect(positions[i]).toBeGreaterThan(positions[i - 1]!);
  });

  it('lists tags with names and values', async () => {
    const library = new ImageLibrary();
    const { series } = await library.open([mrFile(5)]);
    const tags = await library.tags(series[0]!.id, 0);
    expect(tags.find((t) => t.tag === '(0020,0013)')).toMatchObject({ name: 'InstanceNumber', value: '5' });
    expect(tags.find((t) => t.tag === '(0028,0010)')).toMatchObject({ name: 'Rows', vr: 'US', value: '256' });
  });

  it('makes a thumbnail of the middle slice', async () => {
    const library = new ImageLibrary();
    const { series } = await library.open([dir]);
    const thumb = await library.thumbnail(series[0]!.id);
    expect([thumb.width, thumb.height]).toEqual([96, 96]);
    expect(Math.max(...thumb.data)).toBeGreaterThan(Math.min(...thumb.data));
  });
});

describe('ImageLibrary: what is not an image', () => {
  it('recognises SEG and RTSTRUCT objects and keeps them apart from the CT images', async () => {
    const library = new ImageLibrary();
    const { series, errors } = await library.open([
      sharedPath('dicom', 'ct-3slice-with-seg'),
      sharedPath('dicom', 'misc', 'rtstruct.dcm'),
    ]);
    expect(errors).toEqual([]);
    const kinds = series.map((s) => `${s.kind}:${s.frameCount}`).sort();
    expect(kinds).toEqual(['RTSTRUCT:0', 'SEG:0', 'SEG:0', 'image:3']);
    const seg = series.find((s) => s.kind === 'SEG')!;
    await expect(library.frame(seg.id, 0)).rejects.toThrow(/no frame 0/);
  });

  it('opens a multi-frame file as a stack', async () => {
    const library = new ImageLibrary();
    const { series } = await library.open([sharedPath('dicom', 'transfer-syntaxes', 'jpeg_baseline_8bit.dcm')]);
    expect(series[0]).toMatchObject({ frameCount: 96, instanceCount: 1 });
    const first = await library.frame(series[0]!.id, 0);
    const last = await library.frame(series[0]!.id, 95);
    expect(last.info.frameInFile).toBe(95);
    expect(last.frame.stored).not.toEqual(first.frame.stored);
  });
});

describe('ImageLibrary: bad input', () => {
  let dir: string;
  const good = () => readFileSync(sharedPath('dicom', 'misc', 'CT_small.dcm'));
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-bad-'));
    const bytes = good();
    writeFileSync(join(dir, 'good.dcm'), bytes);
    // Cut inside the pixel data.
    writeFileSync(join(dir, 'truncated.dcm'), bytes.subarray(0, bytes.length - 5000));
    // Garbage over the meta header and the first elements.
    const garbled = Buffer.from(bytes);
    for (let i = 140; i < 400; i++) garbled[i] = (i * 37) & 0xff;
    writeFileSync(join(dir, 'garbled.dcm'), garbled);
    writeFileSync(join(dir, 'notes.bin'), 'this is not an image at all, just some text that goes on');
    // Same length as the real UID, so the rest of the file stays where it was.
    const unsupported = Buffer.from(bytes);
    const uid = '1.2.840.10008.1.2.1';
    const at = unsupported.indexOf(uid);
    unsupported.write('1.2.840.10008.9.9.9', at, 'latin1');
    writeFileSync(join(dir, 'unsupported.dcm'), unsupported);
    // Everything up to the pixel data element: a valid file with no pixels.
    const pixelTag = Buffer.from([0xe0, 0x7f, 0x10, 0x00]);
    writeFileSync(join(dir, 'no-pixels.dcm'), bytes.subarray(0, bytes.lastIndexOf(pixelTag)));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(
      join(dir, 'sub', 'radiograph.png'),
      encodePngGrey({
        width: 4,
        height: 3,
        bitsStored: 16,
        data: Uint16Array.from({ length: 12 }, (_, i) => i * 1000),
      }),
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reports each bad file with a clear reason and opens the rest', async () => {
    const library = new ImageLibrary();
    const { series, errors } = await library.open([dir]);
    const reasons = Object.fromEntries(errors.map((e) => [basename(e.path), e.message]));
    expect(Object.keys(reasons).sort()).toEqual([
      'garbled.dcm',
      'no-pixels.dcm',
      'notes.bin',
      'truncated.dcm',
      'unsupported.dcm',
    ]);
    expect(reasons['truncated.dcm']).toMatch(/^malformed DICOM: file ends early, truncated\?/);
    expect(reasons['garbled.dcm']).toMatch(/malformed|not a DICOM/i);
    expect(reasons['notes.bin']).toBe('not a DICOM, PNG or JPEG file');
    expect(reasons['unsupported.dcm']).toBe('unsupported transfer syntax 1.2.840.10008.9.9.9');
    expect(reasons['no-pixels.dcm']).toBe('no pixel data');
    expect(series.map((s) => s.kind).sort()).toEqual(['image', 'raster']);
    const raster = series.find((s) => s.kind === 'raster')!;
    const { frame } = await library.frame(raster.id, 0);
    expect([frame.columns, frame.rows, frame.minStored, frame.maxStored]).toEqual([4, 3, 0, 11000]);
  });

  it('says so when a path does not exist', async () => {
    const { errors } = await new ImageLibrary().open([join(dir, 'nope')]);
    expect(errors[0]!.message).toBe('no such file or folder');
  });
});

describe('ImageLibrary: frame cache', () => {
  it('stays within its byte budget while scrolling', async () => {
    const library = new ImageLibrary({ frameCacheBytes: 3 * 256 * 256 * 2 });
    const { series } = await library.open([MR]);
    for (let i = 0; i < 20; i++) await library.frame(series[0]!.id, i);
    const cache = (library as unknown as { frames: { size: number; count: number } }).frames;
    expect(cache.count).toBe(3);
    expect(cache.size).toBeLessThanOrEqual(3 * 256 * 256 * 2);
  });

  it('decodes a frame asked for twice at once only once, and restarts its workers after close', async () => {
    const library = new ImageLibrary();
    const { series } = await library.open([MR]);
    const [a, b] = await Promise.all([library.frame(series[0]!.id, 5), library.frame(series[0]!.id, 5)]);
    expect(a.frame).toBe(b.frame);
    await library.close();
    const again = await library.frame(series[0]!.id, 6);
    expect([again.frame.rows, again.frame.columns]).toEqual([256, 256]);
    await library.close();
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { countSet, createMask, type Mask, masksEqual } from '../../shared/labelmap/mask';
import { readBinaryMask } from '../imaging/raster';
import { readSourceImages } from '../seg/source-images';
import { gzipBomb } from '../testing/bombs';
import { sharedPath } from '../testing/shared-data';
import { timerGaps } from '../testing/timer-gaps';
import { decodeNifti, encodeNifti, geometryOf } from './nifti';
import { readMaskPng, writeMaskPng } from './png-mask';

const dir = mkdtempSync(join(tmpdir(), 'nextmask-io-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function blob(width: number, height: number, x0: number, y0: number, x1: number, y1: number): Mask {
  const m = createMask(width, height);
  for (let y = y0; y <= y1; y++) m.data.fill(1, y * width + x0, y * width + x1 + 1);
  return m;
}

describe('PNG masks', () => {
  it('round-trips a mask through a 0/255 PNG', async () => {
    const mask = blob(37, 23, 3, 4, 20, 19);
    mask.data[0] = 1;
    const path = join(dir, 'mask.png');
    await writeMaskPng(path, mask);
    expect(masksEqual(await readMaskPng(path), mask)).toBe(true);
    // On disk it is the training data's format: foreground 255.
    const grey = await readBinaryMask(path);
    expect(grey.width).toBe(37);
    expect(countSet({ width: 37, height: 23, data: grey.data })).toBe(countSet(mask));
  });

  it('reads a real infection mask from the data set and refuses one of the wrong size', async () => {
    const path = sharedPath('data/covid-qu-ex/val/covid/infection-masks/covid_1903.png');
    const mask = await readMaskPng(path, { width: 256, height: 256 });
    expect(countSet(mask)).toBeGreaterThan(0);
    await expect(readMaskPng(path, { width: 512, height: 512 })).rejects.toThrow(
      'mask is 256x256, the image is 512x512',
    );
  });
});

describe('NIfTI label volumes', () => {
  it('round-trips several segments as labels 1..n', async () => {
    const a = [blob(16, 12, 0, 0, 3, 3), createMask(16, 12), blob(16, 12, 5, 5, 15, 11)];
    const b = [createMask(16, 12), blob(16, 12, 8, 0, 15, 2), createMask(16, 12)];
    const path = join(dir, 'labels.nii.gz');
    writeFileSync(path, encodeNifti([a, b], { spacing: [0.8, 0.7, 2.5] }));
    const back = await decodeNifti(readFileSync(path));
    expect([back.width, back.height, back.depth]).toEqual([16, 12, 3]);
    expect([...back.labels.keys()]).toEqual([1, 2]);
    for (const [k, m] of a.entries()) expect(masksEqual(back.labels.get(1)![k]!, m)).toBe(true);
    for (const [k, m] of b.entries()) expect(masksEqual(back.labels.get(2)![k]!, m)).toBe(true);
    expect(back.geometry.spacing.map((s) => Number(s.toFixed(4)))).toEqual([0.8, 0.7, 2.5]);
  });

  it('writes a standard NIfTI-1 header: magic, dims, datatype, voxel offset', () => {
    const raw = gunzipSync(encodeNifti([[blob(4, 3, 0, 0, 1, 1)]], { spacing: [1, 1, 1] }));
    expect(raw.readInt32LE(0)).toBe(348);
    expect(raw.toString('latin1', 344, 347)).toBe('n+1');
    expect([raw.readInt16LE(40), raw.readInt16LE(42), raw.readInt16LE(44), raw.readInt16LE(46)]).toEqual([3, 4, 3, 1]);
    expect(raw.readInt16LE(70)).toBe(2);
    expect(raw.readFloatLE(108)).toBe(352);
    expect([...raw.subarray(352, 356)]).toEqual([1, 1, 0, 0]);
  });

  it('places the CT series in scanner space: voxel (0,0,0) at the first slice position in RAS', async () => {
    const dirCt = 'dicom/ct-3slice-with-seg';
    const sources = await readSourceImages(['01.dcm', '02.dcm', '03.dcm'].map((f) => sharedPath(dirCt, f)));
    const geometry = geometryOf(sources);
    const [x, y, z] = sources[0]!.imagePosition!;
    const affine = geometry.affine!;
    expect([affine[3], affine[7], affine[11]]).toEqual([-x!, -y!, z]);
    expect(affine[0]).toBeCloseTo(-0.810547); // column step along -R (DICOM +x is patient left)
    expect(geometry.spacing[2]).toBeCloseTo(1, 3);
    const masks = sources.map(() => createMask(512, 512));
    masks[2]!.data[512 * 100 + 7] = 1;
    const back = await decodeNifti(encodeNifti([masks], geometry));
    expect(back.geometry.affine![11]).toBeCloseTo(z!, 3);
    expect(back.labels.get(1)![2]!.data[512 * 100 + 7]).toBe(1);
  });

  it('rejects bad input clearly', async () => {
    await expect(decodeNifti(Buffer.from('hello'))).rejects.toThrow('not a NIfTI-1 file');
    expect(() => encodeNifti([[createMask(4, 4)], [createMask(5, 4)]], { spacing: [1, 1, 1] })).toThrow('same size');
  });

  it('refuses a .nii.gz bomb by its header, before inflating it, without stalling the event loop', async () => {
    // 2 GiB of zeros: no NIfTI header at all.
    const zeros = gzipBomb(2 * 2 ** 30);
    expect(zeros.length).toBeLessThan(3 * 2 ** 20);
    let error: unknown;
    let gaps = await timerGaps(() => decodeNifti(zeros).catch((err: unknown) => (error = err)));
    expect(String(error)).toMatch(/not a NIfTI-1 file: bad header size/);
    expect(gaps.at(-1), 'longest event-loop stall, ms').toBeLessThan(200);
    // A valid header for one small slice, followed by 2 GiB: inflated no further than the header declares.
    const header = gunzipSync(encodeNifti([[createMask(16, 12)]], { spacing: [1, 1, 1] })).subarray(0, 352);
    const disguised = Buffer.concat([gzipSync(header), gzipBomb(2 * 2 ** 30)]);
    error = undefined;
    gaps = await timerGaps(() => decodeNifti(disguised).catch((err: unknown) => (error = err)));
    expect(String(error)).toMatch(/NIfTI \(\.nii\.gz\) expands to more than .* \(a decompression bomb\?\)/);
    expect(gaps.at(-1), 'longest event-loop stall, ms').toBeLessThan(200);
  });

  it('refuses a volume of the wrong size from its header, and too many labels', async () => {
    const masks = [blob(16, 12, 0, 0, 3, 3)];
    const bytes = encodeNifti([masks], { spacing: [1, 1, 1] });
    await expect(decodeNifti(bytes, { width: 16, height: 12, depth: 2 })).rejects.toThrow(
      'NIfTI is 16x12x1, the series is 16x12x2',
    );
    // 40000 distinct labels of a 100x100 slice: 40000 volumes of masks would be 400 MB.
    const raw = gunzipSync(encodeNifti([[createMask(200, 200)]], { spacing: [1, 1, 1] }));
    raw.writeInt16LE(512, 70); // uint16 voxels
    const noisy = Buffer.concat([raw.subarray(0, 352), Buffer.alloc(200 * 200 * 2)]);
    for (let p = 0; p < 200 * 200; p++) noisy.writeUInt16LE(1 + (p % 60000), 352 + 2 * p);
    process.env.NEXTMASK_MAX_INFLATED_MB = '1';
    try {
      await expect(decodeNifti(noisy)).rejects.toThrow(/more than 26 labels/);
    } finally {
      delete process.env.NEXTMASK_MAX_INFLATED_MB;
    }
  });
});

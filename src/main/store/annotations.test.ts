import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codingOf } from '../../shared/labelmap/coding';
import { countSet, createMask, masksEqual } from '../../shared/labelmap/mask';
import { fromPayload, type SegmentPayload, toChangePayload, toPayload } from '../../shared/labelmap/payload';
import { NEW_SEGMENT_DEFAULTS, type Segment } from '../../shared/labelmap/segments';
import { ImageLibrary } from '../dicom/library';
import { deflatedDicomBomb, gzipBomb } from '../testing/bombs';
import { deflateFile } from '../testing/dicom-edit';
import { sharedPath } from '../testing/shared-data';
import { timerGaps } from '../testing/timer-gaps';
import { Annotations } from './annotations';
import { librarySeries } from './series-source';

let dir: string;
let images: ImageLibrary;
let annotations: Annotations;
let ctId: string;
let xrayId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'nextmask-annotations-'));
  images = new ImageLibrary();
  const ct = ['01.dcm', '02.dcm', '03.dcm'].map((f) => sharedPath('dicom/ct-3slice-with-seg', f));
  const xray = sharedPath('data/covid-qu-ex/val/covid/images/covid_1903.png');
  const { series } = await images.open([...ct, xray]);
  ctId = series.find((s) => s.modality === 'CT')!.id;
  xrayId = series.find((s) => s.kind === 'raster')!.id;
  annotations = new Annotations(join(dir, 'workspace'), librarySeries(images));
});
afterAll(() => {
  annotations.close();
  rmSync(dir, { recursive: true, force: true });
});

function segment(
  id: string,
  width: number,
  height: number,
  frames: number,
  paint: (m: Segment['masks']) => void,
): Segment {
  const masks = Array.from({ length: frames }, () => createMask(width, height));
  paint(masks);
  return {
    id,
    name: id,
    color: [10, 200, 30],
    ...NEW_SEGMENT_DEFAULTS,
    masks,
  };
}

describe('Annotations', () => {
  it('saves a series, exports SEG and NIfTI, and imports both back equal', async () => {
    const first = await annotations.load(ctId);
    expect(first).toMatchObject({ width: 512, height: 512, frameCount: 3, segments: [], savedAt: null });
    expect(existsSync(join(dir, 'workspace')), 'looking writes nothing').toBe(false);
    const liver = {
      ...segment('liver', 512, 512, 3, (m) => m[1]!.data.fill(1, 512 * 200, 512 * 260)),
      coding: codingOf('consolidation', 'left'),
    };
    await annotations.commit(ctId, {
      version: (await annotations.load(ctId)).version,
      order: [liver.id],
      changed: [toChangePayload(liver)],
      edits: [{ segmentUid: 'liver', action: 'brush', frame: 1 }],
    });
    const loaded = await annotations.load(ctId);
    expect(loaded.savedAt).not.toBeNull();
    expect(masksEqual(fromPayload(loaded.segments[0]!, loaded).masks[1]!, liver.masks[1]!)).toBe(true);

    const segPath = join(dir, 'out.dcm');
    expect(await annotations.export({ seriesId: ctId, format: 'seg', path: segPath })).toEqual({
      path: segPath,
      deidentified: false,
      segments: 1,
    });
    const fromSeg = await annotations.import(ctId, segPath);
    expect(fromSeg.map((s) => [s.name, s.coding])).toEqual([['liver', codingOf('consolidation', 'left')]]);
    const back = fromPayload(fromSeg[0]!, loaded);
    for (const [i, m] of liver.masks.entries()) expect(masksEqual(back.masks[i]!, m)).toBe(true);

    const niiPath = join(dir, 'out.nii.gz');
    await annotations.export({ seriesId: ctId, format: 'nifti', path: niiPath });
    const fromNifti = fromPayload((await annotations.import(ctId, niiPath))[0]!, loaded);
    for (const [i, m] of liver.masks.entries()) expect(masksEqual(fromNifti.masks[i]!, m)).toBe(true);
  });

  it('refuses a folder typed as the export target instead of writing a file beside it', async () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    await expect(annotations.export({ seriesId: ctId, format: 'seg', path: folder })).rejects.toThrow(
      `${folder} is a folder: give a file name inside it`,
    );
    expect(existsSync(`${folder}.dcm`)).toBe(false);
  });

  it('loads seg-liver.dcm over the CT series opened in the viewer', async () => {
    const segments = await annotations.import(ctId, sharedPath('dicom/ct-3slice-with-seg/seg-liver.dcm'));
    expect(segments.map((s: SegmentPayload) => [s.name, s.source, s.algorithm])).toEqual([
      ['Liver', 'ai', 'SlicerEditor'],
    ]);
    expect(
      fromPayload(segments[0]!, { width: 512, height: 512, frameCount: 3 }).masks.every((m) => countSet(m) > 0),
    ).toBe(true);
  });

  it('imports a deflated SEG, and refuses a deflated SEG bomb and a .nii.gz bomb without stalling the event loop', async () => {
    const plain = readFileSync(sharedPath('dicom/ct-3slice-with-seg/seg-liver.dcm'));
    const deflatedPath = join(dir, 'seg-liver-deflated.dcm');
    writeFileSync(deflatedPath, deflateFile(plain));
    const fromDeflated = await annotations.import(ctId, deflatedPath);
    const fromPlain = await annotations.import(ctId, sharedPath('dicom/ct-3slice-with-seg/seg-liver.dcm'));
    expect(fromDeflated.map((s) => s.bits)).toEqual(fromPlain.map((s) => s.bits));

    // Bombs on masks:import: a deflated SEG, and a .nii.gz of 2 MiB that expands to 2 GiB.
    const bombs: [string, Buffer, RegExp][] = [
      ['seg-bomb.dcm', deflatedDicomBomb(deflateFile(plain), 4 * 2 ** 30), /deflated DICOM data set expands/],
      ['bomb.nii.gz', gzipBomb(2 * 2 ** 30), /not a NIfTI-1 file: bad header size/],
    ];
    // A lower cap than the default 512 MiB keeps the test quick; the limit is the same code path.
    process.env.NEXTMASK_MAX_INFLATED_MB = '64';
    try {
      for (const [name, bytes, what] of bombs) {
        writeFileSync(join(dir, name), bytes);
        let error: unknown;
        const gaps = await timerGaps(() => annotations.import(ctId, join(dir, name)).catch((err) => (error = err)));
        expect(gaps.at(-1), `${name}: longest event-loop stall, ms`).toBeLessThan(1000);
        expect(String(error)).toMatch(what);
        if (name.endsWith('.dcm')) expect(String(error)).toMatch(/to more than 64 MiB \(a decompression bomb\?\)/);
      }
    } finally {
      delete process.env.NEXTMASK_MAX_INFLATED_MB;
    }
  });

  it('writes an export whole: a new file renamed over the old one, never rewritten in place', async () => {
    const exports = join(dir, 'whole');
    mkdirSync(exports);
    for (const format of ['seg', 'nifti'] as const) {
      const path = join(exports, `liver.${format === 'seg' ? 'dcm' : 'nii.gz'}`);
      await annotations.export({ seriesId: ctId, format, path });
      const before = statSync(path).ino;
      await annotations.export({ seriesId: ctId, format, path });
      expect(statSync(path).ino, format).not.toBe(before);
    }
    expect(readdirSync(exports).sort(), 'no temporary file left beside them').toEqual(['liver.dcm', 'liver.nii.gz']);
  });

  it('records an AI proposal; an edited save marks it a correction and exports it as SEMIAUTOMATIC', async () => {
    const ai = {
      ...segment('ai-1', 512, 512, 3, (m) => m[0]!.data.fill(1, 0, 5000)),
      source: 'ai' as const,
      algorithm: 'NTP',
      prompt: 'liver',
    };
    await annotations.recordProposal(ctId, {
      segmentUid: 'ai-1',
      prompt: 'liver',
      algorithm: 'NTP',
      bits: toPayload(ai).bits,
    });
    ai.masks[0]!.data.fill(0, 0, 100);
    await annotations.commit(ctId, {
      version: (await annotations.load(ctId)).version,
      order: [ai.id],
      changed: [toChangePayload(ai)],
      edits: [],
    });
    // Loaded again (a reload), the segment says it was changed by hand.
    expect((await annotations.load(ctId)).segments.find((s) => s.id === 'ai-1')?.edited).toBe(true);
    const path = join(dir, 'ai.dcm');
    await annotations.export({ seriesId: ctId, format: 'seg', path, deidentify: true });
    // De-identified UIDs no longer match the identified series, so read the header directly.
    const { readDataset } = await import('../seg/dicom-file');
    const { readFile } = await import('node:fs/promises');
    const ds = await readDataset(await readFile(path));
    expect(ds.PatientIdentityRemoved).toBe('YES');
    expect((ds.SegmentSequence as { SegmentAlgorithmType: string }[])[0]!.SegmentAlgorithmType).toBe('SEMIAUTOMATIC');
  });

  it('round-trips a radiograph mask as PNG and refuses SEG export without a DICOM source', async () => {
    const lung = segment('lung', 256, 256, 1, (m) => m[0]!.data.fill(1, 256 * 10, 256 * 40));
    await annotations.commit(xrayId, {
      version: (await annotations.load(xrayId)).version,
      order: [lung.id],
      changed: [toChangePayload(lung)],
      edits: [],
    });
    const path = join(dir, 'lung.png');
    await annotations.export({ seriesId: xrayId, format: 'png', path });
    const back = fromPayload((await annotations.import(xrayId, path))[0]!, { width: 256, height: 256, frameCount: 1 });
    expect(masksEqual(back.masks[0]!, lung.masks[0]!)).toBe(true);
    await expect(annotations.export({ seriesId: xrayId, format: 'seg', path: join(dir, 'x.dcm') })).rejects.toThrow(
      'DICOM SEG needs a DICOM series',
    );
  });

  it('refuses a mask payload of the wrong size and keeps the saved segments', async () => {
    const before = (await annotations.load(xrayId)).segments.length;
    const bad = { ...toChangePayload(segment('bad', 256, 256, 1, () => {})), bits: new Uint8Array(10) };
    await expect(
      annotations.commit(xrayId, {
        version: (await annotations.load(xrayId)).version,
        order: [bad.id],
        changed: [bad],
        edits: [],
      }),
    ).rejects.toThrow(/mask data is 10 bytes/);
    expect((await annotations.load(xrayId)).segments.length).toBe(before);
  });

  it('refuses a save based on an older version, keeping the newer one', async () => {
    const loaded = await annotations.load(xrayId);
    const mine = segment('mine', 256, 256, 1, (m) => m[0]!.data.fill(1, 0, 50));
    const order = loaded.segments.map((s) => s.id);
    const saved = await annotations.commit(xrayId, {
      version: loaded.version,
      order: [...order, 'mine'],
      changed: [toChangePayload(mine)],
      edits: [],
    });
    expect(saved.version).toBe(loaded.version + 1);
    const stale = segment('stale', 256, 256, 1, () => {});
    const staleStep = { version: loaded.version, order: ['stale'], changed: [toChangePayload(stale)], edits: [] };
    await expect(annotations.commit(xrayId, staleStep)).rejects.toThrow(/saved elsewhere .*nothing was overwritten/);
    expect((await annotations.load(xrayId)).segments.map((s) => s.id)).toEqual([...order, 'mine']);
  });
});

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CODES, codingOf } from '../../shared/labelmap/coding';
import { createMask, type Mask, masksEqual } from '../../shared/labelmap/mask';
import { dciodvfyErrors } from '../testing/dciodvfy';
import { sharedPath } from '../testing/shared-data';
import { writeAiSeg } from './ai-seg';
import { dicomLabToRgb, rgbToDicomLab } from './colour';
import { readDataset, writeDataset } from './dicom-file';
import { readSeg } from './read-seg';
import { readSourceImages, type SourceImage, sliceDistance } from './source-images';
import { buildSeg, type SegSegment, segSegmentFrom, writeSeg } from './write-seg';

const CT_DIR = 'dicom/ct-3slice-with-seg';
let sources: SourceImage[];
let dir: string;

beforeAll(async () => {
  sources = await readSourceImages(['03.dcm', '01.dcm', '02.dcm'].map((f) => sharedPath(CT_DIR, f)));
  dir = mkdtempSync(join(tmpdir(), 'nextmask-seg-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function popcount(bytes: Uint8Array): number {
  let n = 0;
  for (let b of bytes) {
    while (b) {
      n += b & 1;
      b >>= 1;
    }
  }
  return n;
}

async function segPixels(path: string): Promise<Uint8Array> {
  return new Uint8Array(((await readDataset(readFileSync(path))).PixelData as ArrayBuffer[])[0] as ArrayBuffer);
}

const sum = (masks: Mask[]) => masks.reduce((n, m) => n + m.data.reduce((a, v) => a + v, 0), 0);

describe('source images', () => {
  it('orders the series by position along the slice normal whatever the file order', () => {
    expect(sources.map((s) => s.path.slice(-6))).toEqual(['03.dcm', '02.dcm', '01.dcm']);
    expect(sources[0]).toMatchObject({ rows: 512, columns: 512, sopClassUid: '1.2.840.10008.5.1.4.1.1.2' });
    expect(sources[0]!.frameOfReferenceUid).toMatch(/^1\.2\.392\./);
  });

  it('refuses files from different series with a clear error', async () => {
    await expect(
      readSourceImages([sharedPath(CT_DIR, '01.dcm'), sharedPath('dicom/misc/CT_small.dcm')]),
    ).rejects.toThrow(/another series/);
  });
});

describe('importing SEG files made by other tools', () => {
  it('loads seg-liver.dcm over its CT series, every frame on the slice it references', async () => {
    const path = sharedPath(CT_DIR, 'seg-liver.dcm');
    const seg = await readSeg(readFileSync(path), sources);
    expect(seg.segments.map((s) => [s.label, s.algorithmType, s.algorithmName])).toEqual([
      ['Liver', 'SEMIAUTOMATIC', 'SlicerEditor'],
    ]);
    const liver = seg.segments[0]!;
    expect(sum(liver.masks)).toBe(popcount(await segPixels(path)));
    for (const m of liver.masks) expect(m.data.includes(1)).toBe(true);
    // The same frames placed by plane position alone (references hidden) land on the same slices.
    const anonymous = sources.map((s) => ({ ...s, sopInstanceUid: `x${s.sopInstanceUid}` }));
    const byPosition = (await readSeg(readFileSync(path), anonymous)).segments[0]!;
    for (const [i, m] of liver.masks.entries()) expect(masksEqual(byPosition.masks[i]!, m), `slice ${i}`).toBe(true);
  });

  it('keeps overlapping segments apart (seg-partial-overlaps.dcm)', async () => {
    const path = sharedPath(CT_DIR, 'seg-partial-overlaps.dcm');
    const seg = await readSeg(readFileSync(path), sources);
    expect(seg.segments.length).toBeGreaterThan(1);
    expect(seg.segments.reduce((n, s) => n + sum(s.masks), 0)).toBe(popcount(await segPixels(path)));
    const overlap = seg.segments[0]!.masks.some((m, slice) =>
      seg.segments.slice(1).some((other) => m.data.some((v, p) => v === 1 && other.masks[slice]!.data[p] === 1)),
    );
    expect(overlap).toBe(true);
  });

  it('rejects a file that is not a SEG, and a SEG of another series', async () => {
    await expect(readSeg(readFileSync(sharedPath(CT_DIR, '01.dcm')), sources)).rejects.toThrow(
      'not a DICOM Segmentation',
    );
    const other = await readSourceImages([sharedPath('dicom/misc/CT-MONO2-16-ankle.dcm')]);
    await expect(readSeg(readFileSync(sharedPath(CT_DIR, 'seg-liver.dcm')), other)).rejects.toThrow(/refers to series/);
  });
});

describe('exporting SEG', () => {
  function exampleSegments(): SegSegment[] {
    const liver = sources.map(() => createMask(512, 512));
    for (let y = 200; y < 300; y++) liver[1]!.data.fill(1, y * 512 + 100, y * 512 + 260);
    liver[2]!.data.fill(1, 0, 37); // odd length: frames are packed without padding
    const lesion = sources.map(() => createMask(512, 512));
    for (let y = 250; y < 270; y++) lesion[1]!.data.fill(1, y * 512 + 150, y * 512 + 170);
    return [
      { label: 'Liver', color: [221, 130, 101], algorithmType: 'MANUAL', masks: liver },
      {
        label: 'Lesion',
        color: [20, 200, 50],
        algorithmType: 'AUTOMATIC',
        algorithm: { name: 'NTP-MRISeg', version: '0.1.0' },
        masks: lesion,
      },
    ];
  }

  it('refuses a SEG whose segments would need masks above the memory ceiling, before allocating them', async () => {
    const dot = sources.map(() => createMask(512, 512));
    dot[0]!.data[0] = 1;
    const many = Array.from(
      { length: 100 },
      (_, i): SegSegment => ({
        label: `Dot ${i + 1}`,
        color: [200, 0, 0],
        algorithmType: 'MANUAL',
        masks: dot,
      }),
    );
    const bytes = writeSeg({ sources, segments: many });
    expect((await readSeg(bytes, sources)).segments).toHaveLength(100);
    // 100 segments x 3 images x 512 x 512 = 75 MiB of masks.
    process.env.NEXTMASK_MAX_INFLATED_MB = '64';
    try {
      await expect(readSeg(bytes, sources)).rejects.toThrow(
        'SEG defines 100 segments; their masks would take 75 MiB, above the 64 MiB limit (NEXTMASK_MAX_INFLATED_MB)',
      );
    } finally {
      delete process.env.NEXTMASK_MAX_INFLATED_MB;
    }
  });

  it('round-trips: re-imports equal to what was saved, and dciodvfy finds no errors', async () => {
    const segments = exampleSegments();
    const path = join(dir, 'roundtrip.dcm');
    writeFileSync(path, writeSeg({ sources, segments }));
    expect(dciodvfyErrors(path)).toEqual([]);

    const back = await readSeg(readFileSync(path), sources);
    expect(back.segments.map((s) => [s.number, s.label, s.algorithmType, s.algorithmName])).toEqual([
      [1, 'Liver', 'MANUAL', undefined],
      [2, 'Lesion', 'AUTOMATIC', 'NTP-MRISeg'],
    ]);
    for (const [i, s] of segments.entries()) {
      for (const [slice, m] of s.masks.entries()) {
        expect(masksEqual(back.segments[i]!.masks[slice]!, m), `${s.label} ${slice}`).toBe(true);
      }
      for (const [k, c] of back.segments[i]!.color.entries()) expect(Math.abs(c - s.color[k]!)).toBeLessThanOrEqual(1);
    }
  });

  it('writes coded segments (category, type, laterality, region) that dciodvfy passes and that read back', async () => {
    const [liver, lesion] = exampleSegments() as [SegSegment, SegSegment];
    const coded: SegSegment[] = [
      { ...liver, label: 'Left lung', coding: codingOf('lung', 'left') },
      { ...lesion, label: 'Infection', coding: codingOf('infiltrate', 'both') },
      { ...lesion, label: 'Tumour', coding: codingOf('bone-neoplasm') },
      { ...liver, label: 'Plain' },
    ];
    const path = join(dir, 'coded.dcm');
    writeFileSync(path, writeSeg({ sources, segments: coded }));
    expect(dciodvfyErrors(path)).toEqual([]);

    const items = (await readDataset(readFileSync(path))).SegmentSequence as Record<string, unknown>[];
    expect(items[0]).toMatchObject({
      SegmentedPropertyCategoryCodeSequence: [{ CodeValue: '91723000', CodingSchemeDesignator: 'SCT' }],
      SegmentedPropertyTypeCodeSequence: [
        { CodeValue: '39607008', SegmentedPropertyTypeModifierCodeSequence: [{ CodeValue: '7771000' }] },
      ],
    });
    expect(items[1]).toMatchObject({
      SegmentedPropertyCategoryCodeSequence: [{ CodeValue: '49755003' }],
      AnatomicRegionSequence: [{ CodeValue: '39607008', AnatomicRegionModifierSequence: [{ CodeValue: '51440002' }] }],
    });
    // Without a coding: the generic "Tissue".
    expect(items[3]).toMatchObject({ SegmentedPropertyTypeCodeSequence: [{ CodeValue: CODES.tissue.value }] });

    const back = (await readSeg(readFileSync(path), sources)).segments.map((s) => s.coding);
    expect(back).toEqual([
      codingOf('lung', 'left'),
      codingOf('infiltrate', 'both'),
      codingOf('bone-neoplasm'),
      { category: CODES.tissue, type: CODES.tissue },
    ]);
  });

  it('dciodvfy does catch a broken SEG (the check above can fail)', () => {
    const ds = buildSeg({ sources, segments: exampleSegments() });
    delete ds.SegmentationType;
    delete ds.DimensionIndexSequence;
    const path = join(dir, 'broken.dcm');
    writeFileSync(path, writeDataset(ds));
    expect(dciodvfyErrors(path).length).toBeGreaterThan(0);
  });

  it('references the source instances and frame of reference, and identifies the algorithm', async () => {
    const ds = await readDataset(writeSeg({ sources, segments: exampleSegments() }));
    expect(ds.FrameOfReferenceUID).toBe(sources[0]!.frameOfReferenceUid);
    expect(ds.StudyInstanceUID).toBe(sources[0]!.studyInstanceUid);
    const series = (
      ds.ReferencedSeriesSequence as {
        SeriesInstanceUID: string;
        ReferencedInstanceSequence: { ReferencedSOPInstanceUID: string }[];
      }[]
    )[0]!;
    expect(series.SeriesInstanceUID).toBe(sources[0]!.seriesInstanceUid);
    expect(series.ReferencedInstanceSequence.map((r) => r.ReferencedSOPInstanceUID)).toEqual(
      sources.map((s) => s.sopInstanceUid),
    );
    // Only non-empty (segment, slice) pairs become frames: liver on slices 1 and 2, lesion on slice 1.
    expect(ds.NumberOfFrames).toBe(3);
    const lesion = (ds.SegmentSequence as Record<string, unknown>[])[1]!;
    expect(lesion).toMatchObject({ SegmentAlgorithmType: 'AUTOMATIC', SegmentAlgorithmName: 'NTP-MRISeg' });
    expect(lesion.SegmentationAlgorithmIdentificationSequence).toMatchObject([
      { AlgorithmName: 'NTP-MRISeg', AlgorithmVersion: '0.1.0' },
    ]);
  });

  it('de-identifies on request (PS3.15 basic profile): no patient identity, consistent new UIDs, still valid', async () => {
    const path = join(dir, 'deid.dcm');
    const bytes = writeSeg({ sources, segments: exampleSegments(), deidentify: { salt: 'site-secret' } });
    writeFileSync(path, bytes);
    expect(dciodvfyErrors(path)).toEqual([]);
    const text = Buffer.from(bytes).toString('latin1');
    for (const identifying of [
      'JANCT000',
      '99000',
      '03086212',
      '20030417',
      sources[0]!.sopInstanceUid,
      sources[0]!.studyInstanceUid,
    ]) {
      expect(text, identifying).not.toContain(identifying);
    }
    const ds = await readDataset(bytes);
    expect(ds).toMatchObject({ PatientIdentityRemoved: 'YES' });
    const again = await readDataset(
      writeSeg({ sources, segments: exampleSegments(), deidentify: { salt: 'site-secret' } }),
    );
    expect(again.StudyInstanceUID).toBe(ds.StudyInstanceUID);
    expect(again.FrameOfReferenceUID).toBe(ds.FrameOfReferenceUID);
    // Without the retain-UIDs option the SEG no longer matches the identified series.
    await expect(readSeg(bytes, sources)).rejects.toThrow(/refers to series/);
    const retained = writeSeg({ sources, segments: exampleSegments(), deidentify: { salt: 's', retainUids: true } });
    expect((await readSeg(retained, sources)).segments).toHaveLength(2);
  });

  it('refuses masks that do not fit the series, before writing anything', () => {
    const bad: SegSegment = { label: 'x', color: [1, 2, 3], algorithmType: 'MANUAL', masks: [createMask(512, 512)] };
    expect(() => writeSeg({ sources, segments: [bad] })).toThrow('has 1 frames, the series has 3');
    const ai: SegSegment = { ...exampleSegments()[1]!, algorithm: undefined };
    expect(() => writeSeg({ sources, segments: [ai] })).toThrow('needs its algorithm');
  });
});

describe('how a stored segment is written', () => {
  const ai = {
    id: 'a',
    name: 'femur lesion',
    color: [1, 2, 3] as [number, number, number],
    visible: true,
    locked: false,
    opacity: 0.5,
    outline: false,
    source: 'ai' as const,
    prompt: 'femur lesion',
    masks: [createMask(4, 4)],
  };

  it('an AI answer is AUTOMATIC with its prompt; pointed at (box, clicks) it is SEMIAUTOMATIC and says so', () => {
    expect(segSegmentFrom(ai)).toMatchObject({ algorithmType: 'AUTOMATIC', description: 'femur lesion' });
    expect(segSegmentFrom(ai, { edited: true }).algorithmType).toBe('SEMIAUTOMATIC');
    const pointing = { frame: 0, box: { x0: 0, y0: 0, x1: 3, y1: 3 }, clicks: [{ x: 1.5, y: 1.5, positive: true }] };
    expect(segSegmentFrom({ ...ai, pointing })).toMatchObject({
      algorithmType: 'SEMIAUTOMATIC',
      description: 'box + 1 click: femur lesion',
    });
    expect(segSegmentFrom({ ...ai, prompt: '', pointing }).description).toBe('box + 1 click');
  });
});

describe('the command line SEG writer', () => {
  it('stores an AI mask over a single input file, with the prompt and the model identified', async () => {
    const input = sharedPath('dicom/misc/CT_small.dcm');
    const [source] = await readSourceImages([input]);
    const mask = createMask(source!.columns, source!.rows);
    mask.data.fill(1, 300, 900);
    const out = join(dir, 'cli.dcm');
    await writeAiSeg({
      sourcePaths: [input],
      masks: [mask],
      prompt: 'one lesion in the left lobe',
      algorithm: { name: 'NTP-MRISeg', version: '0.1.0' },
      outPath: out,
    });
    expect(dciodvfyErrors(out)).toEqual([]);
    const back = await readSeg(readFileSync(out), [source!]);
    expect(back.segments[0]).toMatchObject({
      label: 'one lesion in the left lobe',
      description: 'one lesion in the left lobe',
      algorithmType: 'AUTOMATIC',
      algorithmName: 'NTP-MRISeg',
    });
    expect(masksEqual(back.segments[0]!.masks[0]!, mask)).toBe(true);
  });
});

describe('SEG on the 20-slice MR series (files without a preamble)', () => {
  it('sorts the slices by position, writes a valid SEG and reads it back', async () => {
    const files = Array.from({ length: 20 }, (_, i) =>
      sharedPath(`dicom/mr-brain-series/brain_${String(i + 1).padStart(3, '0')}.dcm`),
    );
    const mr = await readSourceImages([...files].reverse());
    const distances = mr.map((s) => sliceDistance(s));
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    const masks = mr.map(() => createMask(mr[0]!.columns, mr[0]!.rows));
    masks[7]!.data.fill(1, 5000, 9000);
    masks[12]!.data.fill(1, 100, 200);
    const out = join(dir, 'mr.seg.dcm');
    writeFileSync(
      out,
      writeSeg({ sources: mr, segments: [{ label: 'Tumour', color: [250, 20, 20], algorithmType: 'MANUAL', masks }] }),
    );
    // These test files carry UIDs with an illegal 0.0.0.0 root; a SEG must reference them as they are.
    const sourceUids = mr.flatMap((s) => [
      s.sopInstanceUid,
      s.seriesInstanceUid,
      s.studyInstanceUid,
      s.frameOfReferenceUid,
    ]);
    const ours = dciodvfyErrors(out).filter((line) => !sourceUids.some((uid) => uid && line.includes(`"${uid}"`)));
    expect(ours).toEqual([]);
    const back = (await readSeg(readFileSync(out), mr)).segments[0]!;
    for (const [i, m] of masks.entries()) expect(masksEqual(back.masks[i]!, m), `slice ${i}`).toBe(true);
  });
});

describe('SEG on radiographs (no frame of reference)', () => {
  it.each(['chest-xray/RG1_J2KI.dcm', 'chest-xray/dx_image.dcm'])(
    '%s: valid for dciodvfy and round-trips',
    async (file) => {
      const [source] = await readSourceImages([sharedPath('dicom', file)]);
      expect(source!.frameOfReferenceUid).toBeUndefined();
      const mask = createMask(source!.columns, source!.rows);
      for (let y = 10; y < 60; y++) mask.data.fill(1, y * source!.columns + 20, y * source!.columns + 90);
      const out = join(dir, `${file.replace('/', '_')}.seg.dcm`);
      writeFileSync(
        out,
        writeSeg({
          sources: [source!],
          segments: [{ label: 'Lung', color: [1, 200, 3], algorithmType: 'MANUAL', masks: [mask] }],
        }),
      );
      expect(dciodvfyErrors(out)).toEqual([]);
      expect(masksEqual((await readSeg(readFileSync(out), [source!])).segments[0]!.masks[0]!, mask)).toBe(true);
    },
  );
});

describe('colour', () => {
  it('maps sRGB to DICOM CIELab and back within one step', () => {
    expect(rgbToDicomLab([255, 255, 255])).toEqual([65535, 32896, 32896]);
    expect(rgbToDicomLab([0, 0, 0])).toEqual([0, 32896, 32896]);
    for (const rgb of [
      [230, 25, 75],
      [0, 130, 200],
      [255, 225, 25],
    ] as const) {
      for (const [i, c] of dicomLabToRgb(rgbToDicomLab([...rgb])).entries()) {
        expect(Math.abs(c - rgb[i]!)).toBeLessThanOrEqual(1);
      }
    }
  });
});

import { describe, expect, it, vi } from 'vitest';
import type { NextmaskApi } from '../../../shared/ipc';
import type { DecodedFrame, FrameResult, SeriesSummary } from '../../../shared/viewer-types';
import { dragWindow, toCornerstoneImage, voiLutOf } from './cornerstone-image';
import { FrameSource } from './frame-source';
import { droppedPaths, pathsFromHash } from './open-paths';
import { autoWindow, BODY_PART_WINDOWS, bodyPartWindow, initialWindow, openingPresetId, presetsFor } from './presets';
import { seriesLabel, seriesTree } from './series-tree';

function frame(overrides: Partial<DecodedFrame> = {}): DecodedFrame {
  return {
    rows: 2,
    columns: 2,
    color: false,
    stored: Int16Array.from([0, 100, 200, 300]),
    rescale: { slope: 2, intercept: -1000 },
    minStored: 0,
    maxStored: 300,
    window: { center: 40, width: 400 },
    windows: [{ center: 40, width: 400 }],
    voiLut: undefined,
    invert: false,
    photometric: 'MONOCHROME2',
    ...overrides,
  };
}

function series(overrides: Partial<SeriesSummary>): SeriesSummary {
  return {
    id: 's1',
    kind: 'image',
    patientName: 'Doe John',
    patientId: 'P1',
    studyInstanceUid: '1.2',
    studyDescription: 'CHEST',
    studyDate: '20240101',
    seriesInstanceUid: '1.2.3',
    seriesDescription: 'AXIAL',
    seriesNumber: 3,
    modality: 'CT',
    bodyPart: 'CHEST',
    frameCount: 10,
    instanceCount: 10,
    rows: 512,
    columns: 512,
    sortedBy: 'position',
    ...overrides,
  };
}

describe('cornerstone image', () => {
  it('passes stored values with the Modality LUT, so cornerstone rescales as main does', () => {
    const image = toCornerstoneImage('x', frame());
    expect([image.slope, image.intercept, image.windowCenter, image.windowWidth]).toEqual([2, -1000, 40, 400]);
    expect([image.minPixelValue, image.maxPixelValue]).toEqual([0, 300]);
    expect(Array.from(image.getPixelData())).toEqual([0, 100, 200, 300]);
  });

  it('widens a flat image range so cornerstone has a lookup table', () => {
    const image = toCornerstoneImage('x', frame({ minStored: 7, maxStored: 7 }));
    expect(image.maxPixelValue).toBe(8);
  });

  it('expands RGB to RGBA for colour images', () => {
    const rgb = frame({ color: true, rows: 1, columns: 2, stored: Uint8Array.from([1, 2, 3, 4, 5, 6]) });
    expect(Array.from(toCornerstoneImage('c', rgb).getPixelData())).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
  });

  it('converts a VOI LUT and drags the window in proportion to the range', () => {
    const lut = voiLutOf(frame({ voiLut: { first: -10, bits: 12, data: Uint16Array.from([0, 4095]) } }));
    expect(lut).toMatchObject({ firstValueMapped: -10, numBitsPerEntry: 12 });
    expect(voiLutOf(frame())).toBeUndefined();
    const dragged = dragWindow({ windowWidth: 400, windowCenter: 40 }, 512, -512, 1000);
    expect(dragged).toEqual({ windowWidth: 1400, windowCenter: -960 });
    expect(dragWindow({ windowWidth: 10, windowCenter: 0 }, -5000, 0, 1000).windowWidth).toBe(1);
  });
});

describe('presets', () => {
  it('gives the CT presets and the file window or full range', () => {
    const byId = Object.fromEntries(presetsFor('CT').map((p) => [p.id, p.window(frame())]));
    expect(byId.lung).toEqual({ width: 1500, center: -600 });
    expect(byId.bone).toEqual({ width: 2500, center: 480 });
    expect(byId['soft-tissue']).toEqual({ width: 400, center: 40 });
    expect(byId.brain).toEqual({ width: 80, center: 40 });
    expect(byId.file).toEqual({ center: 40, width: 400 });
    // Full range in modality units: 0*2-1000 .. 300*2-1000.
    expect(byId.full).toEqual({ center: -700, width: 600 });
  });

  it('offers radiographs histogram windows, never the CT ones, and opens them on the 1st–99th percentile', () => {
    for (const modality of ['CR', 'DX', 'MG']) {
      const ids = presetsFor(modality).map((p) => p.id);
      expect(ids).toContain('auto');
      expect(ids).not.toContain('lung');
    }
    expect(presetsFor('', 'raster').map((p) => p.id)).toEqual(presetsFor('DX').map((p) => p.id));
    expect(presetsFor('MR').length).toBeLessThanOrEqual(9);
    // 1000 pixels 0..999 with 10 bright outliers at 60000: the auto window ignores them.
    const stored = Uint16Array.from({ length: 1010 }, (_, i) => (i < 1000 ? i : 60000));
    const radiograph = frame({
      stored,
      minStored: 0,
      maxStored: 60000,
      rescale: { slope: 1, intercept: 0 },
      windows: [],
      window: { center: 30000, width: 60000 },
    });
    const auto = autoWindow(radiograph);
    expect(auto.center - auto.width / 2).toBe(10);
    expect(auto.center + auto.width / 2).toBe(999);
    expect(initialWindow(radiograph)).toEqual(auto);
    expect(initialWindow(frame())).toEqual({ center: 40, width: 400 });
  });
});

describe('body-part presets', () => {
  // A film of 1000 pixels, one of each value 0..999 (no rescale): quantile q sits at about 1000 q.
  const film = (overrides: Partial<DecodedFrame> = {}) =>
    frame({
      stored: Uint16Array.from({ length: 1000 }, (_, i) => i),
      minStored: 0,
      maxStored: 999,
      rescale: { slope: 1, intercept: 0 },
      windows: [],
      window: { center: 500, width: 1000 },
      ...overrides,
    });
  const lung = BODY_PART_WINDOWS.find((w) => w.id === 'chest-lung')!;
  const edges = (w: { center: number; width: number }) => [w.center - w.width / 2, w.center + w.width / 2];

  it('picks the set by BodyPartExamined, else offers both, after the file and automatic windows', () => {
    const ids = (part: string, kind = 'image') => presetsFor('CR', kind, part).map((p) => p.id);
    expect(ids('CHEST')).toEqual(expect.arrayContaining(['chest-lung', 'chest-mediastinum', 'chest-bone']));
    expect(ids('CHEST').some((id) => id.startsWith('limb-'))).toBe(false);
    expect(ids('KNEE')).toEqual(expect.arrayContaining(['limb-bone', 'limb-soft']));
    expect(ids('KNEE').some((id) => id.startsWith('chest-'))).toBe(false);
    expect(ids('THORAX')).toEqual(ids('CHEST'));
    for (const unknown of [ids(''), ids('', 'raster'), ids('ABDOMEN')])
      expect(unknown.filter((id) => id.includes('-') && id !== 'soft-tissue')).toEqual(
        BODY_PART_WINDOWS.map((w) => w.id),
      );
    expect(ids('CHEST').slice(0, 2)).toEqual(['file', 'auto']);
    expect(ids('CHEST')).toEqual(expect.arrayContaining(['contrast', 'wide', 'bright', 'full']));
    expect(presetsFor('CT', 'image', 'CHEST').map((p) => p.id)).not.toContain('chest-lung');
  });

  it("sets each window on the film's own density quantiles, read backwards on a MONOCHROME1 film", () => {
    const [lo, hi] = edges(bodyPartWindow(film(), lung));
    expect(lo).toBeCloseTo(1000 * lung.density[0], -1);
    expect(hi).toBeCloseTo(1000 * lung.density[1], -1);
    // MONOCHROME1: dense tissue has low values, so the lung (least dense) band lies high.
    const [lo1, hi1] = edges(bodyPartWindow(film({ invert: true }), lung));
    expect(lo1).toBeCloseTo(1000 * (1 - lung.density[1]), -1);
    expect(hi1).toBeCloseTo(1000 * (1 - lung.density[0]), -1);
  });

  it('counts only the values a VOI LUT maps when the file has one', () => {
    // The LUT is flat below 600 and above 799: the display clips those, so the band lies within 600..799.
    const data = Uint16Array.from({ length: 1000 }, (_, i) => Math.min(199, Math.max(0, i - 600)));
    const [lo, hi] = edges(bodyPartWindow(film({ voiLut: { first: 0, bits: 16, data } }), lung));
    expect(lo).toBeGreaterThanOrEqual(600);
    expect(hi).toBeLessThanOrEqual(800);
    expect(lo).toBeCloseTo(600 + 200 * lung.density[0], -1);
    expect(hi).toBeCloseTo(600 + 200 * lung.density[1], -1);
  });

  it('names the window a series opens with: the file window, else the automatic one', () => {
    expect(openingPresetId(frame())).toBe('file');
    expect(openingPresetId(film())).toBe('auto');
    expect(openingPresetId(film({ windows: [{ center: 500, width: 1000 }] }))).toBe('auto'); // spans every value
    expect(openingPresetId(film({ voiLut: { first: 0, bits: 8, data: Uint16Array.from([0, 255]) } }))).toBe('file');
  });
});

describe('series tree', () => {
  it('groups Patient → Study → Series and keeps radiographs apart', () => {
    const tree = seriesTree([
      series({ id: 'a' }),
      series({ id: 'b', seriesNumber: 4, kind: 'SEG', seriesDescription: '' }),
      series({ id: 'c', studyInstanceUid: '9.9', studyDescription: 'HEAD' }),
      series({
        id: 'r',
        kind: 'raster',
        patientName: '',
        patientId: '',
        studyInstanceUid: '',
        seriesDescription: 'x.png',
      }),
    ]);
    expect(tree.map((p) => p.label)).toEqual(['Doe John (P1)', 'Radiographs (PNG/JPEG)']);
    expect(tree[0]!.studies.map((s) => [s.label, s.series.map((x) => x.id)])).toEqual([
      ['20240101 CHEST', ['a', 'b']],
      ['20240101 HEAD', ['c']],
    ]);
    expect(seriesLabel(tree[0]!.studies[0]!.series[1]!)).toBe('#4 SEG');
  });
});

describe('open paths', () => {
  it('reads repeated open= entries from the fragment, beside the token', () => {
    expect(pathsFromHash('#token=abc&open=%2Fdata%2Fa.dcm&open=/data/b')).toEqual(['/data/a.dcm', '/data/b']);
    expect(pathsFromHash('#token=abc')).toEqual([]);
  });

  it('gets dropped paths only where the bridge can tell them', () => {
    const files = [new File(['x'], 'a.dcm')] as unknown as FileList;
    expect(droppedPaths(files, undefined)).toEqual([]);
    expect(droppedPaths(files, (f) => `/abs/${f.name}`)).toEqual(['/abs/a.dcm']);
  });
});

describe('FrameSource', () => {
  const result = (bytes: number): FrameResult => ({
    frame: frame({ stored: new Uint8Array(bytes) }),
    info: { path: 'p', frameInFile: 0, instanceNumber: undefined, slicePosition: undefined },
  });

  it('asks main once per frame, evicts beyond its budget, and retries failures', async () => {
    let fail = true;
    const invoke = vi.fn(async (_channel: string, args: { index: number }) => {
      if (args.index === 9 && fail) throw new Error('boom');
      return result(60);
    });
    const source = new FrameSource({ invoke, on: () => () => {} } as unknown as NextmaskApi, 100);
    await source.get('s', 0);
    await source.get('s', 0);
    expect(invoke).toHaveBeenCalledTimes(1);
    await source.get('s', 1); // 120 bytes > 100: frame 0 goes
    await source.get('s', 0);
    expect(invoke).toHaveBeenCalledTimes(3);
    await expect(source.get('s', 9)).rejects.toThrow('boom');
    fail = false;
    await expect(source.get('s', 9)).resolves.toBeDefined();
  });

  it('reads ahead within the series only', async () => {
    const invoke = vi.fn(async () => result(1));
    const source = new FrameSource({ invoke, on: () => () => {} } as unknown as NextmaskApi);
    source.prefetch('s', 7, 4, 10);
    await Promise.resolve();
    expect(invoke.mock.calls.map((c) => (c as unknown as [string, { index: number }])[1].index)).toEqual([8, 9]);
  });
});

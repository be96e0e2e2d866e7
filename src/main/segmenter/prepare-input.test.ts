import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSamples, loadSample } from '../data/samples';
import { decodeFrame } from '../dicom/decode-frame';
import { parseInstance } from '../dicom/parse';
import { type DecodedFrame, frameFromGrey } from '../imaging/frame';
import { SAMPLE_SIZE } from '../imaging/model-input';
import { decodeRaster } from '../imaging/raster';
import { editElement } from '../testing/dicom-edit';
import { SHARED_DATA, sharedPath } from '../testing/shared-data';
import { answerNotices } from './pipeline/answer-notices';
import { inputFromFrame, prepareInput, unitFromFrame } from './prepare-input';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nextmask-prepare-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function greyFrame(stored: number[], window: { center: number; width: number }, invert: boolean): DecodedFrame {
  return {
    rows: 1,
    columns: stored.length,
    color: false,
    stored: Int16Array.from(stored),
    rescale: { slope: 2, intercept: -100 },
    minStored: Math.min(...stored),
    maxStored: Math.max(...stored),
    window,
    windows: [window],
    voiLut: undefined,
    invert,
    photometric: invert ? 'MONOCHROME1' : 'MONOCHROME2',
  };
}

describe('the model input of a DICOM frame', () => {
  it('maps modality values through the default window to [0, 1], clamped', () => {
    // Modality values 2s - 100: -100, 0, 50, 100, 300; window 0..100.
    const unit = unitFromFrame(greyFrame([0, 50, 75, 100, 200], { center: 50, width: 100 }, false));
    expect(Array.from(unit.data)).toEqual([0, 0, 0.5, 1, 1]);
  });

  it('inverts MONOCHROME1, so bone is bright as in the training radiographs', () => {
    const unit = unitFromFrame(greyFrame([0, 50, 75, 100, 200], { center: 50, width: 100 }, true));
    expect(Array.from(unit.data)).toEqual([1, 1, 0.5, 0, 0]);
  });

  it('refuses colour frames', () => {
    expect(() => unitFromFrame({ ...greyFrame([0, 1, 2], { center: 1, width: 2 }, false), color: true })).toThrow(
      /colour/,
    );
  });

  it('decodes the JPEG 2000 chest radiograph with the viewer decoder at its own size', async () => {
    const input = await prepareInput(sharedPath('dicom/chest-xray/RG1_J2KI.dcm'));
    expect([input.width, input.height, input.dicomFrames]).toEqual([1841, 1955, 1]);
    expect([input.image.width, input.image.height]).toEqual([SAMPLE_SIZE, SAMPLE_SIZE]);
    let min = 1;
    let max = 0;
    for (const v of input.image.data) [min, max] = [Math.min(min, v), Math.max(max, v)];
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max - min).toBeGreaterThan(0.5);
  });

  it("reads the file's Modality and BodyPartExamined for the answer's notices", async () => {
    const path = sharedPath('dicom/chest-xray/RG1_J2KI.dcm');
    const skull = join(dir, 'skull.dcm');
    await writeFile(skull, editElement(await readFile(path), 0x00180015, 'CS', 'SKULL'));
    const input = await prepareInput(skull);
    expect([input.modality, input.bodyPart]).toEqual([(await prepareInput(path)).modality, 'SKULL']);
    const {
      notices: [notice],
      lowConfidence,
    } = answerNotices({
      textFit: { words: 2, unknown: [], read: 2 },
      confidence: null,
      modality: 'CR',
      ...(input.bodyPart ? { bodyPart: input.bodyPart } : {}),
    });
    expect(notice).toMatch(/^this image shows the SKULL \(its BodyPartExamined\)/);
    expect(lowConfidence).toBe(true);
  });
});

describe('the model input of a radiograph', () => {
  it('is exactly the input training used for the same file', async () => {
    const [lung] = await listSamples(SHARED_DATA, 'val', { groups: ['lung'] });
    const [btxrd] = await listSamples(SHARED_DATA, 'val', { groups: ['btxrd'] });
    for (const source of [lung!, btxrd!]) {
      const input = await prepareInput(source.imagePath);
      const sample = await loadSample(source);
      expect(input.dicomFrames).toBeUndefined();
      expect(input.width).toBe(sample.sourceMask.width);
      expect(input.height).toBe(sample.sourceMask.height);
      expect(Array.from(input.image.data)).toEqual(Array.from(sample.image.data));
    }
  });
});

describe("the viewer's decoded frame (the segmenter service's input)", () => {
  it('gives exactly the input the CLI prepares from the file, DICOM and PNG', async () => {
    const dicom = sharedPath('dicom/chest-xray/RG1_J2KI.dcm');
    const [lung] = await listSamples(SHARED_DATA, 'val', { groups: ['lung'] });
    const png = lung!.imagePath;
    // What the decode worker hands the viewer: decodeFrame for DICOM, frameFromGrey for a raster.
    const frames: [string, DecodedFrame, boolean][] = [
      [dicom, await decodeFrame(await parseInstance(await readFile(dicom)), 0), false],
      [png, frameFromGrey(decodeRaster(await readFile(png))), true],
    ];
    for (const [path, frame, raster] of frames) {
      const fromFrame = inputFromFrame(frame, raster);
      expect(Array.from(fromFrame.data)).toEqual(Array.from((await prepareInput(path)).image.data));
    }
    // A raster is scaled by its bit depth; the viewer's frame carries a full-range window it must not use.
    const dim = frameFromGrey({ width: 1, height: 2, bitsStored: 8, data: Uint8Array.from([51, 102]) });
    const [top, bottom] = [0, 255 * 256].map((i) => inputFromFrame(dim, true).data[i]);
    expect([top, bottom]).toEqual([Math.fround(0.2), Math.fround(0.4)]);
  });
});

describe('bad input', () => {
  it('names the file and the problem', async () => {
    const garbled = join(dir, 'garbled.dcm');
    await writeFile(garbled, Buffer.from('this is not an image at all, just text'));
    await expect(prepareInput(garbled)).rejects.toThrow(`${garbled}: not a DICOM, PNG or JPEG file`);
    await expect(prepareInput(join(dir, 'absent.png'))).rejects.toThrow(/no file at .*absent\.png/);
    const truncated = join(dir, 'truncated.png');
    await writeFile(truncated, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]));
    await expect(prepareInput(truncated)).rejects.toThrow(truncated);
    await expect(prepareInput(sharedPath('dicom/chest-xray/RG1_J2KI.dcm'), 3)).rejects.toThrow(/frame 3 out of range/);
  });
});

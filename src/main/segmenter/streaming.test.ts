// segmentStreaming on a small random model of the real format: the same result as segment(), the
// streamed tokens are a growing prefix of the final ones, and a cancel stops it between passes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRID_TOKENS } from '../../shared/tokens';
import type { Box } from '../data/crop';
import { type Plane, resizeThreshold, thresholdMap } from '../data/resample';
import { SAMPLE_SIZE } from '../data/samples';
import { cellWindow } from '../model/film-region';
import { gateRegion } from '../model/lung-gate';
import { loadModel, type SegmentationModel } from '../model/model-files';
import { LESION_CUT, maskCut, segment } from '../model/segment';
import { IDENTITY_VIEW } from '../model/test-time-views';
import { zoomBoxFor, zoomedMap, zoomInput } from '../model/zoom-pass';
import { writeRandomModel } from '../testing/tiny-model';
import { segmentStreaming } from './streaming';

let dir: string;
let model: SegmentationModel;
// A smooth gradient with a bright disc: any image in [0, 1] will do for a random model.
const image: Plane<Float32Array> = {
  width: SAMPLE_SIZE,
  height: SAMPLE_SIZE,
  data: Float32Array.from({ length: SAMPLE_SIZE ** 2 }, (_, i) => {
    const x = i % SAMPLE_SIZE;
    const y = Math.floor(i / SAMPLE_SIZE);
    return Math.hypot(x - 100, y - 140) < 50 ? 0.9 : (x + y) / (4 * SAMPLE_SIZE);
  }),
};
const size = { width: 300, height: 200 };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nextmask-streaming-'));
  await writeRandomModel(dir);
  model = await loadModel(join(dir, 'model'), 1);
}, 30_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('segmentStreaming', () => {
  it("returns segment()'s result and streams a growing prefix of its tokens", async () => {
    const expected = await segment(model, image, 'left lung', size);
    const streamed: Int32Array[] = [];
    const result = await segmentStreaming(model, image, 'left lung', size, {
      onTokens: (tokens, { decoded, total }) => {
        streamed.push(tokens.slice());
        expect([decoded, total]).toEqual([tokens.length, GRID_TOKENS]); // one decode: its tokens are the progress
      },
    });
    expect(Array.from(result.tokens)).toEqual(Array.from(expected.tokens));
    expect(Array.from(result.mask.data)).toEqual(Array.from(expected.mask.data));
    expect(result.forwardPasses).toBe(expected.forwardPasses);
    // At most one report per decoder pass, each longer than the last, each a prefix of the final tokens.
    expect(streamed.length).toBeGreaterThan(1);
    expect(streamed.length).toBeLessThanOrEqual(expected.forwardPasses);
    for (let i = 0; i < streamed.length; i++) {
      const tokens = streamed[i] as Int32Array;
      if (i > 0) expect(tokens.length).toBeGreaterThan((streamed[i - 1] as Int32Array).length);
      expect(Array.from(tokens)).toEqual(Array.from(expected.tokens.subarray(0, tokens.length)));
    }
    expect((streamed.at(-1) as Int32Array).length).toBe(GRID_TOKENS);
  });

  it('streams the first view and counts every view in the progress', async () => {
    const views = [IDENTITY_VIEW, { affine: { scale: 1, shiftX: 8, shiftY: 8 }, gamma: 1 }];
    const options = { rule: 'expected' as const, views, fallback: [] };
    const expected = await segment(model, image, 'left lung', size, options);
    const reports: { tokens: Int32Array; decoded: number; total: number }[] = [];
    const decodes: number[] = [];
    const result = await segmentStreaming(model, image, 'left lung', size, {
      ...options,
      onDecode: (index, perThreshold) => decodes.push(index, perThreshold),
      onTokens: (tokens, progress) => reports.push({ tokens: tokens.slice(), ...progress }),
    });
    expect(decodes).toEqual([0, 2, 1, 2]);
    expect(Array.from(result.mask.data)).toEqual(Array.from(expected.mask.data));
    expect(reports.every((r) => r.total === 2 * GRID_TOKENS)).toBe(true);
    expect(reports.at(-1)?.decoded).toBe(2 * GRID_TOKENS);
    for (let i = 1; i < reports.length; i++)
      expect((reports[i] as (typeof reports)[0]).decoded).toBeGreaterThan(
        (reports[i - 1] as (typeof reports)[0]).decoded,
      );
    // The second view's reports still show the first view's full, final tokens.
    const second = reports.filter((r) => r.decoded > GRID_TOKENS);
    expect(second.length).toBeGreaterThan(0);
    for (const r of second) expect(Array.from(r.tokens)).toEqual(Array.from(expected.tokens));
  });

  it("decodes the lungs once more for a chest finding, counts it, and keeps the answer in the lung's zones", async () => {
    const text = 'Unilateral pulmonary infection, one infected area, lower left lung.';
    const options = { rule: 'expected' as const, views: [IDENTITY_VIEW], fallback: [] };
    const decodes: number[] = [];
    const totals = new Set<number>();
    const result = await segmentStreaming(model, image, text, size, {
      ...options,
      onDecode: (index, planned) => decodes.push(index, planned),
      onTokens: (_, { total }) => totals.add(total),
    });
    expect(decodes).toEqual([0, 2, 1, 2]); // the view, then the lungs
    expect([...totals]).toEqual([2 * GRID_TOKENS]);
    const ungated = await segment(model, image, text, size, { ...options, gate: false });
    expect(ungated.gated).toBe(null);
    expect(result.forwardPasses).toBeGreaterThan(ungated.forwardPasses);
    // The gate is the model's own "both lungs" answer, cut to the lower third of the patient's left lung.
    const grid = { width: 256, height: 256 };
    const lungs = await segment(model, image, 'both lungs', grid, { ...options, gate: false });
    const region = gateRegion(lungs.mask, { left: ['lower'] });
    expect(result.gated).toBe(region === null ? null : 'lungs');
    const map = result.probability as Plane<Float32Array>;
    const raw = ungated.probability as Plane<Float32Array>;
    // The gate bites: the ungated answer reaches outside the region.
    expect(raw.data.some((p, i) => p > 0 && region?.data[i] === 0)).toBe(true);
    map.data.forEach((p, i) => {
      if (p !== (region === null || region.data[i] === 1 ? raw.data[i] : 0)) throw new Error(`pixel ${i}: ${p}`);
    });
  });

  it('keeps a lesion answer near the part of the film its prompt names, with no extra decode', async () => {
    const text = 'One benign osteochondroma lesion in the tibia, located in the lower-left region.';
    const options = { rule: 'expected' as const, views: [IDENTITY_VIEW], fallback: [] };
    const result = await segment(model, image, text, size, options);
    const ungated = await segment(model, image, text, size, { ...options, gate: false });
    expect([result.gated, ungated.gated]).toEqual(['film', null]);
    expect(result.forwardPasses).toBe(ungated.forwardPasses);
    const near = cellWindow({ row: 2, column: 0 }, 256, 256);
    const raw = ungated.probability as Plane<Float32Array>;
    // The gate bites: the ungated answer reaches outside the window.
    expect(raw.data.some((p, i) => p > 0 && near.data[i] === 0)).toBe(true);
    (result.probability as Plane<Float32Array>).data.forEach((p, i) => {
      if (p !== (near.data[i] === 1 ? raw.data[i] : 0)) throw new Error(`pixel ${i}: ${p}`);
    });
    // A chest prompt is never film-gated, whatever its words.
    const chest = await segment(model, image, 'Opacity in the lower-left region of the chest', size, options);
    expect(chest.gated).toBeNull();
  });

  it('takes a zoomed second look at the part of the film a bone prompt names, with the zoom model, and counts it', async () => {
    const text = 'One benign osteochondroma lesion in the femur, located in the lower-right region.';
    // The film the image came from: any grey plane of the answer's size.
    const film = { width: size.width, height: size.height, data: new Float32Array(size.width * size.height).fill(0.5) };
    film.data.fill(0.9, 0, size.width * 150);
    const options = { rule: 'expected' as const, views: [IDENTITY_VIEW], fallback: [] };
    const zoomModel = { ...model, zoom: model };
    const first = await segment(zoomModel, image, text, size, { ...options, zoom: false });
    expect(first.zoomed).toBeNull();
    const box = zoomBoxFor(text, size) as Box;
    const decodes: number[] = [];
    const totals: number[] = [];
    const result = await segmentStreaming(zoomModel, image, text, size, {
      ...options,
      film,
      onDecode: (index, planned) => decodes.push(index, planned),
      onTokens: (_, { total }) => totals.push(total),
    });
    expect(result.zoomed).toEqual(box);
    expect(decodes).toEqual([0, 1, 1, 2]); // the view, then the zoomed look
    expect(totals.at(-1)).toBe(2 * GRID_TOKENS);
    // as zoomLook: the crop is not the whole film the place words are about, so it is not film-gated
    const second = await segment(model, zoomInput(film, box), text, box, { ...options, gate: false });
    expect(result.forwardPasses).toBe(first.forwardPasses + second.forwardPasses);
    const map = zoomedMap(
      first.probability as Plane<Float32Array>,
      second.probability as Plane<Float32Array>,
      box,
      size,
    );
    const cut = maskCut(text, first.threshold as number, map.data);
    expect(result.cut).toBe(cut);
    expect(Array.from(result.mask.data)).toEqual(Array.from(thresholdMap(map, cut).data));
    expect(result.mask.data.some((v, i) => v !== first.mask.data[i])).toBe(true); // the look changed the answer
    // Outside the box the answer is the first one's map, cut where the blended one is.
    const whole = resizeThreshold(first.probability as Plane<Float32Array>, size.width, size.height, cut);
    const outside = (_: number, i: number) => i % size.width < box.x || Math.floor(i / size.width) < box.y;
    expect(Array.from(result.mask.data).filter(outside)).toEqual(Array.from(whole.data).filter(outside));
    // Without a film, without a zoom model, for a chest prompt or one naming no part: no second look.
    expect((await segment(zoomModel, image, text, size, options)).zoomed).toBeNull();
    expect((await segment(model, image, text, size, { ...options, film })).zoomed).toBeNull();
    expect((await segment(zoomModel, image, 'left lung', size, { ...options, film })).zoomed).toBeNull();
    expect(
      (await segment(zoomModel, image, 'osteochondroma of the femur', size, { ...options, film })).zoomed,
    ).toBeNull();
    await expect(segment(zoomModel, image, text, { width: 10, height: 10 }, { ...options, film })).rejects.toThrow(
      /the film is 300x200/,
    );
  });

  it("cuts a bone prompt's answer from its map at LESION_CUT, a chest prompt's at the decoding threshold", async () => {
    const text = 'One benign osteochondroma lesion in the femur, located in the central region.';
    const options = { rule: 'expected' as const, views: [IDENTITY_VIEW], fallback: [] };
    const [low, asDecoded] = [
      await segment(model, image, text, size, options),
      await segment(model, image, text, size, { ...options, lesionCut: 1 }),
    ];
    expect([low.threshold, low.cut, asDecoded.cut]).toEqual([0.5, LESION_CUT, 0.5]);
    expect(Array.from(low.tokens)).toEqual(Array.from(asDecoded.tokens)); // the same decode, cut lower
    const map = low.probability as Plane<Float32Array>;
    expect(Array.from(low.mask.data)).toEqual(
      Array.from(resizeThreshold(map, size.width, size.height, LESION_CUT).data),
    );
    // Lower cut: a superset, and larger here (the random model has pixels between the two).
    low.mask.data.forEach((v, i) => {
      if (v < (asDecoded.mask.data[i] as number)) throw new Error(`pixel ${i}`);
    });
    expect(low.mask.data.some((v, i) => v !== asDecoded.mask.data[i])).toBe(true);
    const chest = await segment(model, image, 'left lung', size, options);
    expect([chest.threshold, chest.cut]).toEqual([0.5, 0.5]);
  });

  it('stops at the next forward pass once cancelled', async () => {
    let passes = 0;
    let reports = 0;
    const run = segmentStreaming(model, image, 'left lung', size, {
      cancelled: () => ++passes > 5,
      onTokens: () => reports++,
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    // Before the run, before prefill, then before each decode step: the 6th poll stopped it, before its pass ran.
    expect(passes).toBe(6);
    expect(reports).toBeLessThanOrEqual(3);
  });
});

// segmentStreaming on a small random model of the real format: the same result as segment(), drafts cut
// as the answer is, one progress total, the gates, and a cancel that stops it between passes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRID_TOKENS } from '../../shared/tokens';
import { SAMPLE_SIZE } from '../imaging/model-input';
import { type Mask, type Plane, resizeThreshold, thresholdMap } from '../imaging/resample';
import { writeRandomModel } from '../testing/tiny-model';
import { cellWindow } from './pipeline/film-region';
import { gateRegion } from './pipeline/lung-gate';
import { LESION_CUT, type SegmentProgress, segment } from './pipeline/segment';
import { IDENTITY_VIEW, TEST_TIME_VIEWS } from './pipeline/test-time-views';
import { KvDecoderSession, kvRows } from './runtime/decoder-session';
import { loadModel, type SegmentationModel } from './runtime/model-files';
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
  it("returns segment()'s result, drafts cut as the answer is, and a progress with one total", async () => {
    const views = [IDENTITY_VIEW, { affine: { scale: 1, shiftX: 8, shiftY: 8 }, gamma: 1 }];
    const options = { rule: 'expected' as const, views, fallback: [] };
    const expected = await segment(model, image, 'left lung', size, options);
    const drafts: Mask[] = [];
    const progress: SegmentProgress[] = [];
    const result = await segmentStreaming(model, image, 'left lung', size, {
      ...options,
      onDraft: (draft) => drafts.push(draft),
      onProgress: (p) => progress.push(p),
    });
    expect(Array.from(result.tokens)).toEqual(Array.from(expected.tokens));
    expect(Array.from(result.mask.data)).toEqual(Array.from(expected.mask.data));
    expect(result.forwardPasses).toBe(expected.forwardPasses);
    // One draft per view: the first view alone, then the mean, cut where the answer is (on the 256 grid).
    expect(drafts).toHaveLength(2);
    const first = await segment(
      model,
      image,
      'left lung',
      { width: 256, height: 256 },
      { ...options, views: [IDENTITY_VIEW] },
    );
    expect(Array.from((drafts[0] as Mask).data)).toEqual(Array.from(first.mask.data));
    const final = thresholdMap(expected.probability as Plane<Float32Array>, expected.cut as number);
    expect(Array.from((drafts[1] as Mask).data)).toEqual(Array.from(final.data));
    // Every report has the same total, the decoded count only grows and ends at the total.
    expect(new Set(progress.map((p) => p.total))).toEqual(new Set([2 * GRID_TOKENS]));
    for (let i = 1; i < progress.length; i++)
      expect((progress[i] as SegmentProgress).decoded).toBeGreaterThan((progress[i - 1] as SegmentProgress).decoded);
    expect(progress.at(-1)?.decoded).toBe(2 * GRID_TOKENS);
    expect(progress.length).toBeLessThanOrEqual(expected.forwardPasses);
  });

  it('decodes the views and the lung gate as one batch with the maps of one decode at a time', async () => {
    const text = 'Unilateral pulmonary infection, one infected area, lower left lung.';
    const options = { rule: 'expected' as const, views: TEST_TIME_VIEWS, fallback: [] };
    let batches = 0;
    const batched = await segment(model, image, text, size, {
      ...options,
      decoding: {
        sessions: (m, rows) => {
          batches++;
          expect(rows).toBe(TEST_TIME_VIEWS.length + 1);
          return kvRows(m, rows);
        },
      },
    });
    const alone = await segment(model, image, text, size, {
      ...options,
      decoding: { sessions: (m, rows) => Array.from({ length: rows }, () => new KvDecoderSession(m)) },
    });
    expect(batches).toBe(1);
    expect(Array.from(batched.tokens)).toEqual(Array.from(alone.tokens));
    expect(batched.gated).toBe(alone.gated);
    const [a, b] = [batched.probability, alone.probability] as Plane<Float32Array>[];
    let worst = 0;
    a?.data.forEach((p, i) => {
      worst = Math.max(worst, Math.abs(p - (b?.data[i] as number)));
    });
    expect(a?.data.some((p) => p > 0)).toBe(true);
    expect(worst).toBeLessThan(1e-4);
  });

  it("decodes the lungs once more for a chest finding, counts it, and keeps the answer in the lung's zones", async () => {
    const text = 'Unilateral pulmonary infection, one infected area, lower left lung.';
    const options = { rule: 'expected' as const, views: [IDENTITY_VIEW], fallback: [] };
    const totals = new Set<number>();
    let decoded = 0;
    const result = await segmentStreaming(model, image, text, size, {
      ...options,
      onProgress: (p) => {
        totals.add(p.total);
        decoded = p.decoded;
      },
    });
    // The view, then the lungs, in one total.
    expect([...totals]).toEqual([2 * GRID_TOKENS]);
    expect(decoded).toBe(2 * GRID_TOKENS);
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
    // A chest prompt is never film-gated, whatever its words (its places, if any, gate the lungs).
    const chest = await segment(model, image, 'Opacity in the lower-left region of the chest', size, options);
    expect(chest.gated).not.toBe('film');
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
      onProgress: () => reports++,
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
    // Before the run, before prefill, then before each decode step: the 6th poll stopped it, before its pass ran.
    expect(passes).toBe(6);
    expect(reports).toBeLessThanOrEqual(3);
  });
});

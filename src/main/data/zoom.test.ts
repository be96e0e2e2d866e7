import { describe, expect, it } from 'vitest';
import { regionBox } from '../model/film-region';
import { sharedPath } from '../testing/shared-data';
import type { Mask } from './resample';
import { createRng } from './rng';
import { listSamples, loadSample } from './samples';
import { cropBox, cropWindow, windowAround, ZOOM_RANGE, zoomWindow } from './zoom';

function maskWith(width: number, height: number, box: { x: number; y: number; w: number; h: number }): Mask {
  const data = new Uint8Array(width * height);
  for (let y = box.y; y < box.y + box.h; y++) data.fill(1, y * width + box.x, y * width + box.x + box.w);
  return { width, height, data };
}

describe('zoomed draws', () => {
  it('picks a square window on the film that holds the whole target, 2–4× its extent', () => {
    const target = maskWith(400, 300, { x: 250, y: 40, w: 20, h: 12 });
    const rng = createRng(3);
    const sides = new Set<number>();
    for (let i = 0; i < 200; i++) {
      const w = zoomWindow(target, rng);
      if (!w) throw new Error('expected a window');
      // Inside the film, target inside the window.
      expect(w.x).toBeGreaterThanOrEqual(0);
      expect(w.y).toBeGreaterThanOrEqual(0);
      expect(w.x + w.side).toBeLessThanOrEqual(400);
      expect(w.y + w.side).toBeLessThanOrEqual(300);
      expect(w.x).toBeLessThanOrEqual(250);
      expect(w.y).toBeLessThanOrEqual(40);
      expect(w.x + w.side).toBeGreaterThanOrEqual(270);
      expect(w.y + w.side).toBeGreaterThanOrEqual(52);
      // 20 px extent × [2, 4] = 40..80, but never under a quarter of the short side (75).
      expect(w.side).toBeGreaterThanOrEqual(75);
      expect(w.side).toBeLessThanOrEqual(20 * ZOOM_RANGE[1]);
      sides.add(w.side);
    }
    expect(sides.size).toBeGreaterThan(1);
    const crop = cropWindow(target, zoomWindow(target, createRng(9)) as NonNullable<ReturnType<typeof zoomWindow>>);
    expect(crop.data.reduce((a, b) => a + b, 0)).toBe(20 * 12);
  });

  it('keeps a target larger than the window centred, and gives no window for an empty target', () => {
    const big = maskWith(200, 100, { x: 0, y: 0, w: 200, h: 100 });
    expect(zoomWindow(big, createRng(1))).toEqual({ x: 50, y: 0, side: 100 });
    expect(zoomWindow(maskWith(50, 50, { x: 0, y: 0, w: 0, h: 0 }), createRng(1))).toBeNull();
  });

  it('crops any sample type, row by row', () => {
    const plane = { width: 4, height: 3, bitsStored: 16 as const, data: Uint16Array.from({ length: 12 }, (_, i) => i) };
    const crop = cropWindow(plane, { x: 1, y: 1, side: 2 });
    expect(crop).toEqual({ width: 2, height: 2, bitsStored: 16, data: Uint16Array.from([5, 6, 9, 10]) });
  });
});

describe('the inference window', () => {
  it('centres a square of factor × the answer on it, at least a quarter of the short side, on the film', () => {
    // 30x10 answer centred at (115, 55): 3 × 30 = 90 px.
    expect(windowAround(maskWith(400, 300, { x: 100, y: 50, w: 30, h: 10 }), 3)).toEqual({ x: 70, y: 10, side: 90 });
    // A tiny answer gets a quarter of the short side (75), pushed back onto the film at the corner.
    expect(windowAround(maskWith(400, 300, { x: 395, y: 0, w: 4, h: 4 }), 3)).toEqual({ x: 325, y: 0, side: 75 });
    // Never wider than the short side.
    expect(windowAround(maskWith(400, 300, { x: 0, y: 0, w: 200, h: 200 }), 3)?.side).toBe(300);
    expect(windowAround(maskWith(40, 30, { x: 0, y: 0, w: 0, h: 0 }), 3)).toBeNull();
  });
});

describe('loadSample with zoom', () => {
  it('shows a BTXRD lesion at more pixels than the whole-film draw of the same seed, with the same text', async () => {
    const [source] = await listSamples(sharedPath('data'), 'val', { groups: ['btxrd'] });
    if (!source) throw new Error('no btxrd val sample');
    const share = (m: Mask) => m.data.reduce((a, b) => a + b, 0) / m.data.length;
    const whole = await loadSample(source, { seed: 5 });
    const zoomed = await loadSample(source, { seed: 5, window: 'zoom' });
    expect(zoomed.text).toBe(whole.text);
    expect(zoomed.image.width).toBe(256);
    expect(share(zoomed.mask)).toBeGreaterThan(2 * share(whole.mask));
    // Its source-size target is the window's, so a zoomed draw is scored on what it shows.
    expect(zoomed.sourceMask.width).toBe(zoomed.sourceMask.height);
  });
});

describe('loadSample with the named region', () => {
  it('draws the part of the film the description names, target and film cropped alike', async () => {
    const [source] = await listSamples(sharedPath('data'), 'val', { groups: ['btxrd'] });
    if (!source) throw new Error('no btxrd val sample');
    const whole = await loadSample(source);
    const box = regionBox(whole.text, whole.film.width, whole.film.height);
    if (!box) throw new Error(`no film region named in ${whole.text}`);
    const region = await loadSample(source, { seed: 5, window: 'region' });
    expect(region.text).toBe(whole.text);
    expect(region.image.width).toBe(256);
    expect(region.sourceMask).toEqual(cropBox(whole.sourceMask, box));
    expect(region.film.width).toBe(box.width);
    expect(region.film.height).toBe(box.height);
  });
});

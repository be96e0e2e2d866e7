import { describe, expect, it } from 'vitest';
import {
  boxPrior,
  correctedParts,
  drawKind,
  jitterBox,
  regionItem,
  simulateCorrections,
  windowText,
} from './region-items';
import { createRng } from './rng';
import type { Sample } from './samples';

/** A 400x300 film with a bright 40x30 lesion at (200, 100), and its sample as loadSample makes one. */
function lesionSample(): Sample {
  const W = 400;
  const H = 300;
  const inside = (x: number, y: number) => x >= 200 && x < 240 && y >= 100 && y < 130;
  const film = { width: W, height: H, bitsStored: 8 as const, data: new Uint8Array(W * H) };
  const sourceMask = { width: W, height: H, data: new Uint8Array(W * H) };
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      film.data[y * W + x] = inside(x, y) ? 220 : 60;
      sourceMask.data[y * W + x] = inside(x, y) ? 1 : 0;
    }
  const grid = { width: 256, height: 256 };
  return {
    group: 'btxrd',
    id: 'btxrd/train/x.jpg',
    text: 'One benign osteochondroma lesion in the femur of the lower limb (frontal view), located in the upper-right region.',
    image: { ...grid, data: new Float32Array(256 * 256) },
    mask: { ...grid, data: new Uint8Array(256 * 256) },
    sourceMask,
    film,
  };
}

const share = (data: ArrayLike<number>) => Array.from(data).reduce((a, b) => a + b, 0) / data.length;

describe('region items', () => {
  it('draws each kind by its weight', () => {
    const rng = createRng(3);
    const kinds = Array.from({ length: 3000 }, () => drawKind(rng, { text: 1, box: 2, clicks: 0 }));
    expect(kinds.filter((k) => k === 'clicks').length).toBe(0);
    expect(kinds.filter((k) => k === 'box').length / 3000).toBeCloseTo(2 / 3, 1);
  });

  it('keeps a jittered box within a fifth of the box per side and on the film', () => {
    const rng = createRng(5);
    for (let i = 0; i < 200; i++) {
      const b = jitterBox({ x0: 200, y0: 100, x1: 240, y1: 130 }, rng, 400, 300);
      expect(b.x0).toBeGreaterThanOrEqual(200 - 0.2 * 40 - 0.2 * 20 - 1e-9);
      expect(b.x1 - b.x0).toBeLessThanOrEqual(40 * 1.2 + 1e-9);
      expect(b.x0).toBeGreaterThanOrEqual(0);
      expect(b.y1).toBeLessThanOrEqual(300);
    }
  });

  it('zooms a box item: the lesion fills much of the window, the box is on the grid, the film place is gone', () => {
    const sample = lesionSample();
    const item = regionItem(sample, 'box', createRng(1), 6);
    expect(item.kind).toBe('box');
    // 40x30 of a 400x300 film is 1% of it; in its window, a large share.
    expect(share(item.mask.data)).toBeGreaterThan(0.25);
    const box = item.region.box as NonNullable<typeof item.region.box>;
    expect(box.x0).toBeGreaterThanOrEqual(0);
    expect(box.x1).toBeLessThanOrEqual(256);
    expect(box.x1 - box.x0).toBeGreaterThan(100);
    expect(item.text === '' || !/region/.test(item.text)).toBe(true);
    // A small box's prior is its inscribed ellipse: on inside the box's centre, off at its corners.
    const prior = item.prior as NonNullable<typeof item.prior>;
    const at = (x: number, y: number) => prior.data[Math.floor(y) * 256 + Math.floor(x)];
    expect(at((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)).toBe(1);
    expect(at(box.x0 + 1, box.y0 + 1)).toBe(0);
    expect(at(box.x1 + 3, (box.y0 + box.y1) / 2)).toBe(0);
    // The window is cut from the film itself: the lesion is bright where the mask is.
    let on = 0;
    let onBright = 0;
    item.mask.data.forEach((m, i) => {
      if (!m) return;
      on++;
      if ((item.image.data[i] as number) > 0.5) onBright++;
    });
    expect(onBright / on).toBeGreaterThan(0.9);
  });

  it('gives a small box its ellipse as the prior, and a large one none', () => {
    const window = { x: 0, y: 0, side: 400 };
    expect(boxPrior({ x0: 0, y0: 0, x1: 400, y1: 300 }, window, 400, 300)).toBeNull();
    const prior = boxPrior({ x0: 100, y0: 100, x1: 200, y1: 150 }, window, 400, 300);
    // 256 / 400 of the source per grid pixel: the ellipse's area is π/4 of the box's.
    const on = prior?.data.reduce((a, v) => a + v, 0) ?? 0;
    expect(on / (100 * 50 * (256 / 400) ** 2)).toBeCloseTo(Math.PI / 4, 1);
  });

  it('places correction clicks on the errors of the answer so far, and gives the answer before the last one', () => {
    const sample = lesionSample();
    const box = { x0: 200, y0: 100, x1: 240, y1: 130 };
    for (let seed = 0; seed < 20; seed++) {
      const { previous, clicks } = simulateCorrections(sample.sourceMask, box, createRng(seed), 3);
      expect(clicks.length).toBeGreaterThanOrEqual(1);
      expect(clicks.length).toBeLessThanOrEqual(3);
      for (const c of clicks) {
        const on = sample.sourceMask.data[Math.floor(c.y) * 400 + Math.floor(c.x)] === 1;
        expect(on).toBe(c.positive);
      }
      if (clicks.length === 1 && !previous) expect(clicks[0]?.positive).toBe(true);
    }
  });

  it('gives a click item its clicks and prior in the window frame', () => {
    const sample = lesionSample();
    const item = regionItem(sample, 'clicks', createRng(2), 6);
    expect(item.kind).toBe('clicks');
    for (const c of item.region.clicks ?? []) {
      expect(c.x).toBeGreaterThanOrEqual(0);
      expect(c.x).toBeLessThan(256);
    }
    expect((item.region.clicks ?? []).length).toBeGreaterThan(0);
  });

  it('windows clicks on the parts of the answer they correct, not a wrong blob elsewhere', () => {
    const W = 600;
    const previous = { width: W, height: 300, data: new Uint8Array(W * 300) };
    for (let y = 10; y < 40; y++) for (let x = 10; x < 40; x++) previous.data[y * W + x] = 1;
    for (let y = 200; y < 260; y++) for (let x = 500; x < 560; x++) previous.data[y * W + x] = 1;
    const near = { x: 60, y: 30, positive: true };
    expect(correctedParts(previous, [near])).toEqual([{ x0: 10, y0: 10, x1: 40, y1: 40 }]);
    // A positive click decides even beside a negative one on the other blob.
    expect(correctedParts(previous, [near, { x: 530, y: 230, positive: false }])).toHaveLength(1);
    expect(correctedParts(previous, [{ x: 530, y: 230, positive: false }])).toEqual([
      { x0: 500, y0: 200, x1: 560, y1: 260 },
    ]);
    expect(correctedParts(previous, [{ x: 300, y: 150, positive: true }])).toEqual([]);
    expect(correctedParts(null, [near])).toEqual([]);
  });

  it('reads a zoomed item without the film place', () => {
    expect(
      windowText('One benign osteochondroma lesion in the tibia (frontal view), located in the lower-left region.'),
    ).toBe('One benign osteochondroma lesion in the tibia (frontal view).');
    expect(windowText('left lung')).toBe('left lung');
  });
});

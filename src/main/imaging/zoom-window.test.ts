import { describe, expect, it } from 'vitest';
import {
  boundingBox,
  boxInWindow,
  CLICK_CONTEXT,
  cropWindow,
  pasteWindow,
  regionWindow,
  unionBox,
  ZOOM_RULE,
  zoomWindow,
} from './zoom-window';

const plane = (w: number, h: number, f: (x: number, y: number) => number) => ({
  width: w,
  height: h,
  data: Float32Array.from({ length: w * h }, (_, i) => f(i % w, Math.floor(i / w))),
});

describe('zoom window', () => {
  it('is a square around the box with a margin, at least the minimum context, centred on the box', () => {
    const w = zoomWindow({ x0: 100, y0: 200, x1: 200, y1: 240 }, 512, 512);
    expect(w.side).toBeCloseTo(100 * (1 + 2 * ZOOM_RULE.margin));
    expect(w.x + w.side / 2).toBeCloseTo(150);
    expect(w.y + w.side / 2).toBeCloseTo(220);
    const tiny = zoomWindow({ x0: 10, y0: 10, x1: 12, y1: 12 }, 400, 512);
    expect(tiny.side).toBeCloseTo(512 * ZOOM_RULE.minSide);
  });

  it('is padded past the film edge instead of shifted: the box stays at its centre', () => {
    const w = zoomWindow({ x0: 0, y0: 0, x1: 40, y1: 40 }, 256, 256);
    expect(w.x).toBeLessThan(0);
    expect(w.x + w.side / 2).toBeCloseTo(20);
    const crop = cropWindow(
      plane(256, 256, () => 1),
      w,
      64,
    );
    expect(crop.data[0]).toBe(0); // black past the edge
    expect(crop.data[63 * 64 + 63]).toBeCloseTo(1);
  });

  it('pastes a crop back where it came from', () => {
    const film = plane(300, 200, (x, y) => (x >= 120 && x < 160 && y >= 80 && y < 120 ? 1 : 0));
    const w = zoomWindow({ x0: 120, y0: 80, x1: 160, y1: 120 }, 300, 200);
    const back = pasteWindow(cropWindow(film, w, 256), w, 300, 200);
    let agree = 0;
    for (let i = 0; i < back.data.length; i++)
      agree += (back.data[i] as number) >= 0.5 === (film.data[i] === 1) ? 1 : 0;
    expect(agree / back.data.length).toBeGreaterThan(0.998);
    expect(back.data[0]).toBe(0); // outside the window
    const inWindow = boxInWindow({ x0: 120, y0: 80, x1: 160, y1: 120 }, w, 256);
    expect(inWindow.x0).toBeCloseTo(256 * (ZOOM_RULE.margin / (1 + 2 * ZOOM_RULE.margin)));
  });

  it('finds bounding boxes and their union with points', () => {
    const mask = { width: 10, height: 10, data: new Uint8Array(100) };
    expect(boundingBox(mask)).toBeNull();
    mask.data[3 * 10 + 2] = 1;
    mask.data[5 * 10 + 7] = 1;
    expect(boundingBox(mask)).toEqual({ x0: 2, y0: 3, x1: 8, y1: 6 });
    expect(unionBox([boundingBox(mask)], [{ x: 9.5, y: 0.5 }])).toEqual({ x0: 2, y0: 0.5, x1: 9.5, y1: 6 });
  });

  it('windows clicks around the positive ones and the answer parts given, at least the click context', () => {
    const w = regionWindow({ clicks: [{ x: 100, y: 100, positive: true }] }, [], 600, 300);
    expect(w?.side).toBeCloseTo(600 * CLICK_CONTEXT);
    expect(regionWindow({ clicks: [{ x: 5, y: 5, positive: false }] }, [], 600, 300)).toBeNull();
    const around = regionWindow(
      { clicks: [{ x: 5, y: 5, positive: false }] },
      [{ x0: 100, y0: 100, x1: 400, y1: 200 }],
      600,
      300,
    );
    expect(around?.side).toBeCloseTo(300 * (1 + 2 * ZOOM_RULE.margin));
  });
});

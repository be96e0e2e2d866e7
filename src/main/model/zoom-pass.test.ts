import { describe, expect, it } from 'vitest';
import type { Mask } from '../data/resample';
import { SAMPLE_SIZE } from '../data/samples';
import { mentionsLungs } from './lung-gate';
import { withZoomed, ZOOM_FACTOR, ZOOM_MAX_SHARE, zoomInput, zoomWindowFor } from './zoom-pass';

function answer(width: number, height: number, box: { x: number; y: number; w: number; h: number }): Mask {
  const data = new Uint8Array(width * height);
  for (let y = box.y; y < box.y + box.h; y++) data.fill(1, y * width + box.x, y * width + box.x + box.w);
  return { width, height, data };
}

const BONE = 'One benign osteochondroma lesion in the femur of the lower limb, located in the upper-left region.';

describe('zoomWindowFor', () => {
  it('looks again, ZOOM_FACTOR × the answer around it, at a small answer to a bone prompt', () => {
    const small = answer(400, 400, { x: 180, y: 180, w: 40, h: 20 }); // 0.5% of the film
    expect(zoomWindowFor(BONE, small)).toEqual({ x: 140, y: 130, side: 40 * ZOOM_FACTOR });
  });

  it('leaves chest prompts, empty answers and answers of ZOOM_MAX_SHARE or more alone', () => {
    const small = answer(400, 400, { x: 180, y: 180, w: 40, h: 20 });
    for (const chest of [
      'left lung',
      'Unilateral pulmonary infection, lower right lung',
      'pneumonia',
      'COVID-19 opacity',
    ])
      expect(zoomWindowFor(chest, small)).toBeNull();
    expect(zoomWindowFor(BONE, answer(400, 400, { x: 0, y: 0, w: 0, h: 0 }))).toBeNull();
    const side = Math.ceil(Math.sqrt(ZOOM_MAX_SHARE) * 400);
    expect(zoomWindowFor(BONE, answer(400, 400, { x: 10, y: 10, w: side, h: side }))).toBeNull();
    expect(zoomWindowFor(BONE, answer(400, 400, { x: 10, y: 10, w: side, h: side }), 0.5)).not.toBeNull();
  });

  it('tells chest prompts from bone ones', () => {
    expect(['both lungs', 'right lung field', 'chest', 'bilateral opacities'].every(mentionsLungs)).toBe(true);
    expect([BONE, 'osteosarcoma of the tibia', 'lesion'].some(mentionsLungs)).toBe(false);
  });
});

describe('zoomInput and withZoomed', () => {
  it("brings the window's film pixels to the model's grid, scaled like training (8-bit / 255)", () => {
    // Left half of the window dark (0), right half bright (255).
    const film = {
      width: 8,
      height: 6,
      bitsStored: 8 as const,
      data: Uint8Array.from({ length: 48 }, (_, i) => (i % 8 >= 4 ? 255 : 0)),
    };
    const input = zoomInput(film, { x: 2, y: 1, side: 4 });
    expect([input.width, input.height]).toEqual([SAMPLE_SIZE, SAMPLE_SIZE]);
    expect(input.data[0]).toBe(0);
    expect(input.data[SAMPLE_SIZE - 1]).toBe(1);
  });

  it('replaces the first answer inside the window only', () => {
    const first = answer(10, 10, { x: 0, y: 0, w: 10, h: 10 });
    const zoomed = answer(4, 4, { x: 1, y: 1, w: 2, h: 2 });
    const out = withZoomed(first, zoomed, { x: 3, y: 3, side: 4 });
    expect(out.data.reduce((a, b) => a + b, 0)).toBe(100 - 16 + 4);
    expect(out.data[3 * 10 + 3]).toBe(0);
    expect(out.data[4 * 10 + 4]).toBe(1);
    expect(out.data[0]).toBe(1);
  });
});

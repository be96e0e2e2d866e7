import { describe, expect, it } from 'vitest';
import type { Mask } from '../data/resample';
import { SAMPLE_SIZE } from '../data/samples';
import { mentionsLungs } from './lung-gate';
import { ZOOM_FACTOR, ZOOM_MAX_SHARE, zoomedAnswer, zoomInput, zoomWindowFor } from './zoom-pass';

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
    const chest = ['both lungs', 'right lung field', 'chest', 'bilateral opacities'];
    // A training wording with no lung word at all.
    chest.push('Right middle lower zones and left middle lower zones, two infected areas.');
    // What radiologists write about the chest beyond the training wordings.
    chest.push('left upper lobe mass', 'right hilar enlargement', 'pleural effusion', 'perihilar haze');
    chest.push('ground-glass change', 'mediastinal widening', 'blunted costophrenic angle', 'bronchiectasis');
    expect(chest.filter((t) => !mentionsLungs(t))).toEqual([]);
    expect(
      [BONE, 'osteosarcoma of the tibia', 'lesion', 'giant cell tumour of the distal femur'].some(mentionsLungs),
    ).toBe(false);
  });
});

describe('zoomInput and zoomedAnswer', () => {
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

  it("adds the zoomed answer inside the window only, at the film's pixels, and keeps the first answer outside", () => {
    // First map: 0.4 everywhere (no answer at 0.5). Zoomed map: 0 on its left half, 1 on its right.
    const first = { width: 4, height: 4, data: new Float32Array(16).fill(0.4) };
    const zoomed = { width: 2, height: 2, data: Float32Array.from([0, 1, 0, 1]) };
    const window = { x: 2, y: 4, side: 4 };
    const out = zoomedAnswer(first, zoomed, window, { width: 10, height: 8 }, 0.5);
    const on = (x: number, y: number) => out.data[y * 10 + x];
    // Outside: 0.4 < 0.5. Inside, bilinear columns of the zoomed map 0, 0.25, 0.75, 1: the right two pass.
    expect([on(0, 0), on(9, 7), on(1, 5), on(6, 5)]).toEqual([0, 0, 0, 0]);
    expect([on(2, 4), on(3, 7), on(4, 4), on(5, 7)]).toEqual([0, 0, 1, 1]);
    expect(out.data.reduce((a, b) => a + b, 0)).toBe(8);
    // At a fallback threshold of 0.4 the first answer (the whole film) stands everywhere.
    expect(zoomedAnswer(first, zoomed, window, { width: 10, height: 8 }, 0.4).data.every((v) => v === 1)).toBe(true);
  });
});

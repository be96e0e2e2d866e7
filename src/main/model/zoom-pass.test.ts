import { describe, expect, it } from 'vitest';
import { SAMPLE_SIZE } from '../data/samples';
import { cellBox, REGION_LOOK_MARGIN } from './film-region';
import { mentionsLungs } from './lung-gate';
import { zoomBoxFor, zoomedMap, zoomInput } from './zoom-pass';

const BONE = 'One benign osteochondroma lesion in the femur of the lower limb, located in the upper-left region.';

describe('zoomBoxFor', () => {
  it('looks at the part of the film a bone prompt names, grown by the region margin', () => {
    expect(zoomBoxFor(BONE, { width: 300, height: 600 })).toEqual(
      cellBox({ row: 0, column: 0 }, 300, 600, REGION_LOOK_MARGIN),
    );
  });

  it('leaves chest prompts and prompts naming no part of the film alone', () => {
    for (const chest of [
      'left lung',
      'Unilateral pulmonary infection, lower right lung',
      'Opacity in the lower-left region of the chest',
      'pneumonia',
    ])
      expect(zoomBoxFor(chest, { width: 300, height: 600 })).toBeNull();
    expect(zoomBoxFor('osteosarcoma of the tibia', { width: 300, height: 600 })).toBeNull();
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

describe('zoomInput and zoomedMap', () => {
  it("brings the box's film pixels to the model's grid, scaled like training (8-bit / 255)", () => {
    // Left half of the box dark (0), right half bright (255).
    const film = {
      width: 8,
      height: 6,
      bitsStored: 8 as const,
      data: Uint8Array.from({ length: 48 }, (_, i) => (i % 8 >= 4 ? 255 : 0)),
    };
    const input = zoomInput(film, { x: 2, y: 1, width: 4, height: 3 });
    expect([input.width, input.height]).toEqual([SAMPLE_SIZE, SAMPLE_SIZE]);
    expect(input.data[0]).toBe(0);
    expect(input.data[SAMPLE_SIZE - 1]).toBe(1);
  });

  it("blends the zoomed map in inside the box only, at the film's pixels", () => {
    // First map: 0.4 everywhere. Zoomed map: 0 on its left half, 1 on its right.
    const first = { width: 4, height: 4, data: new Float32Array(16).fill(0.4) };
    const zoomed = { width: 2, height: 2, data: Float32Array.from([0, 1, 0, 1]) };
    const box = { x: 2, y: 4, width: 4, height: 3 };
    const out = zoomedMap(first, zoomed, box, { width: 10, height: 8 }, 0.5);
    const at = (x: number, y: number) => Number((out.data[y * 10 + x] as number).toFixed(4));
    expect([out.width, out.height]).toEqual([10, 8]);
    // Outside the box: the first map as it was.
    expect([at(0, 0), at(9, 7), at(1, 5), at(6, 5), at(3, 7)]).toEqual([0.4, 0.4, 0.4, 0.4, 0.4]);
    // Inside, half of 0.4 plus half of the zoomed map's bilinear columns 0, 0.25, 0.75, 1.
    expect([at(2, 4), at(3, 6), at(4, 5), at(5, 4)]).toEqual([0.2, 0.325, 0.575, 0.7]);
    // Weight 0 leaves the first map; weight 1 takes the zoomed one inside the box.
    expect(zoomedMap(first, zoomed, box, { width: 10, height: 8 }, 0).data.every((v) => Math.abs(v - 0.4) < 1e-6)).toBe(
      true,
    );
    expect(at(5, 4)).toBeCloseTo(0.7, 6);
    expect(zoomedMap(first, zoomed, box, { width: 10, height: 8 }, 1).data[4 * 10 + 5]).toBeCloseTo(1, 6);
  });
});

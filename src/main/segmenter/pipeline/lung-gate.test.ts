import { describe, expect, it } from 'vitest';
import type { Mask } from '../../imaging/resample';
import { GATE_MARGIN, gated, gateRegion, grow } from './lung-gate';

/** A 256-wide mask: two lungs, image columns 40–99 (patient's right) and 156–215 (left), rows 50–199. */
function lungsMask(): Mask {
  const data = new Uint8Array(256 * 256);
  for (let y = 50; y < 200; y++) {
    data.fill(1, y * 256 + 40, y * 256 + 100);
    data.fill(1, y * 256 + 156, y * 256 + 216);
  }
  return { width: 256, height: 256, data };
}
const at = (m: Mask, x: number, y: number) => m.data[y * m.width + x];

describe('gateRegion', () => {
  it("keeps the named zone of the named lung (the patient's left is the image's right), grown by the margin", () => {
    const region = gateRegion(lungsMask(), { left: ['lower'] }) as Mask;
    // The lower third of rows 50–199 starts at row 150.
    expect(at(region, 180, 160)).toBe(1);
    expect(at(region, 180, 150 - GATE_MARGIN)).toBe(1);
    expect(at(region, 180, 150 - GATE_MARGIN - 1)).toBe(0);
    expect(at(region, 215 + GATE_MARGIN, 199 + GATE_MARGIN)).toBe(1);
    expect(at(region, 215 + GATE_MARGIN + 1, 180)).toBe(0);
    expect(at(region, 70, 180)).toBe(0); // the patient's right lung
  });

  it('keeps both lungs whole when no side is named, and gives up when the named lung is missing', () => {
    const region = gateRegion(lungsMask(), {}, 0) as Mask;
    expect(region.data.reduce((a, b) => a + b, 0)).toBe(2 * 150 * 60);
    const rightOnly = lungsMask();
    for (let y = 50; y < 200; y++) rightOnly.data.fill(0, y * 256 + 128, y * 256 + 256);
    expect(gateRegion(rightOnly, { right: ['upper'] })).not.toBeNull();
    expect(gateRegion(rightOnly, { left: ['upper'] })).toBeNull();
    expect(gateRegion({ width: 256, height: 256, data: new Uint8Array(256 * 256) }, {})).toBeNull();
  });
});

describe('grow and gated', () => {
  it('grow a pixel into a square and clip at the edges', () => {
    const mask = { width: 5, height: 4, data: new Uint8Array(20) };
    mask.data[1 * 5 + 0] = 1;
    expect(Array.from(grow(mask, 1).data)).toEqual([1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('zero the map outside the region and refuse a region of another size', () => {
    const map = { width: 2, height: 1, data: Float32Array.of(0.7, 0.9) };
    expect(Array.from(gated(map, { width: 2, height: 1, data: Uint8Array.of(0, 1) }).data)).toEqual([
      0,
      Math.fround(0.9),
    ]);
    expect(() => gated(map, { width: 1, height: 2, data: Uint8Array.of(1, 1) })).toThrow(/size/);
  });
});

import { describe, expect, it } from 'vitest';
import {
  allowedOutput,
  imageIds,
  PRIOR_LEVELS,
  positionPair,
  positionRows,
  priorLevels,
  regionIds,
  textIds,
  tokenLayout,
} from './tokens';

const sizes = { maskCodes: 1024, imageLevels: 3, imageCodes: 512, textVocab: 340, maxText: 32 };
const layout = tokenLayout(sizes);

describe('token layout', () => {
  it('puts mask codes, EOS, image levels and text in one compact vocabulary', () => {
    expect(layout.eos).toBe(1024);
    expect(layout.outputVocab).toBe(1025);
    expect(layout.imageOffset).toBe(1025);
    expect(layout.textOffset).toBe(1025 + 3 * 512);
    expect(layout.vocab).toBe(1025 + 1536 + 340);
    expect(layout.prefix).toBe(256 + 32);
    expect(allowedOutput(layout, 0)).toEqual([0, 1024]);
    expect(allowedOutput(layout, 256)).toEqual([1024, 1025]);
  });

  it('maps level-major image tokens to per-position ids, one block per level', () => {
    const tokens = new Array(3 * 256).fill(0);
    tokens[0] = 7; // level 0, position 0
    tokens[256 + 5] = 9; // level 1, position 5
    const ids = imageIds(layout, tokens);
    expect(ids[0]).toBe(1025 + 7);
    expect(ids[5 * 3 + 1]).toBe(1025 + 512 + 9);
    expect(ids[5 * 3 + 2]).toBe(1025 + 1024);
    expect(() => imageIds(layout, new Array(3 * 256).fill(512))).toThrow(/outside/);
  });

  it('pads or cuts text to maxText with PAD', () => {
    const ids = textIds(layout, [5, 6]);
    expect(ids.length).toBe(32);
    expect(Array.from(ids.subarray(0, 3))).toEqual([layout.textOffset + 5, layout.textOffset + 6, layout.textOffset]);
    expect(textIds(layout, new Array(40).fill(2)).length).toBe(32);
    expect(() => textIds(layout, [340])).toThrow(/outside/);
  });

  it('gives grid tokens (row, column) rows and text (slot, text) rows, all distinct in range', () => {
    expect(positionPair(layout, 17)).toEqual([1, 16 + 1]); // image row 1, column 1
    expect(positionPair(layout, 256 + 3)).toEqual([64 + 3, 64 + 32]);
    expect(positionPair(layout, layout.prefix + 255)).toEqual([32 + 15, 48 + 15]); // mask row 15, column 15
    const seen = new Set<string>();
    for (let s = 0; s <= layout.prefix + 256; s++) {
      const [a, b] = positionPair(layout, s);
      expect(a).toBeLessThan(positionRows(layout));
      expect(b).toBeLessThan(positionRows(layout));
      seen.add(`${a},${b}`);
    }
    expect(seen.size).toBe(layout.prefix + 257);
    expect(() => positionPair(layout, layout.prefix + 257)).toThrow(/past EOS/);
  });
});

describe('region part', () => {
  const region = tokenLayout({ ...sizes, regionBins: 64, regionClicks: 6 });

  it('adds region slots between text and mask, region ids after text ids, and leaves a text-only layout as it was', () => {
    expect(layout.regionSlots).toBe(0);
    expect(layout.priorTokens).toBe(0);
    expect(layout.promptTokens).toBe(32);
    expect(region.regionSlots).toBe(4 + 2 * 6);
    expect(region.promptTokens).toBe(32 + 16);
    expect(region.prefix).toBe(256 + 32 + 16);
    expect(region.regionOffset).toBe(layout.vocab);
    expect(region.vocab).toBe(layout.vocab + 1 + 6 * 64);
    expect(region.priorTokens).toBe(256);
    expect(positionRows(region)).toBe(positionRows(layout) + 16 + 1);
  });

  it('gives region slots (slot, region) position rows and keeps the mask rows where they were', () => {
    const rows = positionRows(layout);
    expect(positionPair(region, 256 + 31)).toEqual(positionPair(layout, 256 + 31));
    expect(positionPair(region, 256 + 32)).toEqual([rows, rows + 16]);
    expect(positionPair(region, 256 + 32 + 15)).toEqual([rows + 15, rows + 16]);
    expect(positionPair(region, region.prefix)).toEqual(positionPair(layout, layout.prefix));
  });

  it('bins a box and clicks per axis and block, NONE where a slot is empty', () => {
    const none = region.regionOffset;
    const ids = regionIds(region, {
      box: { x0: 0, y0: 128, x1: 256, y1: 132 },
      clicks: [
        { x: 4, y: 255, positive: true },
        { x: 64, y: 0, positive: false },
      ],
    });
    const bin = (block: number, b: number) => none + 1 + block * 64 + b;
    expect(Array.from(ids)).toEqual([
      bin(0, 0),
      bin(1, 32),
      bin(0, 63),
      bin(1, 32),
      bin(2, 1),
      bin(3, 63),
      bin(4, 16),
      bin(5, 0),
      ...new Array(8).fill(none),
    ]);
    expect(Array.from(regionIds(region, {}))).toEqual(new Array(16).fill(none));
    expect(() => regionIds(region, { clicks: new Array(7).fill({ x: 1, y: 1, positive: true }) })).toThrow(/at most 6/);
    expect(() => regionIds(layout, { box: { x0: 0, y0: 0, x1: 1, y1: 1 } })).toThrow(/no box or clicks/);
  });

  it('quantises the previous answer per patch into prior levels', () => {
    const mask = { width: 256, data: new Uint8Array(256 * 256) };
    for (let y = 0; y < 16; y++) for (let x = 0; x < 8; x++) mask.data[y * 256 + x] = 1; // half of patch 0
    for (let y = 0; y < 16; y++) for (let x = 16; x < 32; x++) mask.data[y * 256 + x] = 1; // all of patch 1
    const levels = priorLevels(mask);
    expect(levels[0]).toBe(PRIOR_LEVELS / 2);
    expect(levels[1]).toBe(PRIOR_LEVELS);
    expect(levels[2]).toBe(0);
    expect(Array.from(priorLevels(null))).toEqual(new Array(256).fill(0));
  });
});

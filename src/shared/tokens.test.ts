import { describe, expect, it } from 'vitest';
import { allowedOutput, imageIds, positionPair, positionRows, textIds, tokenLayout } from './tokens';

const layout = tokenLayout({ maskCodes: 1024, imageLevels: 3, imageCodes: 512, textVocab: 340, maxText: 32 });

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

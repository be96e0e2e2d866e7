import { describe, expect, it } from 'vitest';
import { GRID_TOKENS } from '../../shared/tokens';
import { corruptMaskInputs } from './input-noise';

const maxText = 4;
const row = maxText + GRID_TOKENS;

function batchOf(batch: number): BigInt64Array {
  // Text ids 900+, mask inputs all 7 (a code that random replacement rarely draws again).
  return BigInt64Array.from({ length: batch * row }, (_, i) => (i % row < maxText ? 900n + BigInt(i % row) : 7n));
}

describe('corruptMaskInputs', () => {
  it('never touches text and replaces about `rate` of the mask inputs with valid codes', () => {
    const tokens = batchOf(8);
    const replaced = corruptMaskInputs(tokens, 8, maxText, 50, 0.25, 3);
    const changed = tokens.filter((t, i) => i % row >= maxText && t !== 7n).length;
    expect(changed).toBeLessThanOrEqual(replaced);
    expect(replaced / (8 * GRID_TOKENS)).toBeGreaterThan(0.2);
    expect(replaced / (8 * GRID_TOKENS)).toBeLessThan(0.3);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i] as bigint;
      if (i % row < maxText) expect(t).toBe(900n + BigInt(i % row));
      else expect(t >= 0n && t < 50n).toBe(true);
    }
  });

  it('is deterministic under a seed and a no-op at rate 0', () => {
    const a = batchOf(2);
    const b = batchOf(2);
    corruptMaskInputs(a, 2, maxText, 50, 0.3, 11);
    corruptMaskInputs(b, 2, maxText, 50, 0.3, 11);
    expect(a).toEqual(b);
    const c = batchOf(2);
    expect(corruptMaskInputs(c, 2, maxText, 50, 0, 11)).toBe(0);
    expect(c).toEqual(batchOf(2));
  });

  it('rejects a bad rate or a wrongly sized batch', () => {
    expect(() => corruptMaskInputs(batchOf(1), 1, maxText, 50, 1, 0)).toThrow(/\[0, 1\)/);
    expect(() => corruptMaskInputs(batchOf(1), 2, maxText, 50, 0.1, 0)).toThrow(/expected/);
  });
});

describe('corruptMaskInputs blanking', () => {
  it('blanks to background at a per-sample rate: some samples barely, some mostly', () => {
    const batch = 64;
    const tokens = batchOf(batch);
    corruptMaskInputs(tokens, batch, maxText, 50, 0, 9, 1);
    const blanked = Array.from({ length: batch }, (_, b) => {
      let n = 0;
      for (let i = maxText; i < row; i++) if (tokens[b * row + i] === 0n) n++;
      return n / GRID_TOKENS;
    });
    // With noise off, every change is a blank; rates spread over [0, 1) with mean about 1/2.
    expect(tokens.filter((t, i) => i % row >= maxText && t !== 0n && t !== 7n)).toHaveLength(0);
    expect(Math.min(...blanked)).toBeLessThan(0.2);
    expect(Math.max(...blanked)).toBeGreaterThan(0.8);
    const mean = blanked.reduce((s, x) => s + x, 0) / batch;
    expect(mean).toBeGreaterThan(0.35);
    expect(mean).toBeLessThan(0.65);
  });

  it('rejects a blanking rate outside [0, 1]', () => {
    expect(() => corruptMaskInputs(batchOf(1), 1, maxText, 50, 0, 0, 1.5)).toThrow(/blanking/);
  });
});

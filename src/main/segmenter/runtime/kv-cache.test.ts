import { describe, expect, it } from 'vitest';
import { KvCache } from './kv-cache';

describe('KvCache', () => {
  const fill = (positions: number, width: number, start: number) =>
    Float32Array.from({ length: positions * width }, (_, i) => start + i);

  it('appends per layer and exposes the prefix without copying', () => {
    const cache = new KvCache(2, 3, 10);
    cache.append(2, [fill(2, 3, 0), fill(2, 3, 100)], [fill(2, 3, 200), fill(2, 3, 300)]);
    cache.append(1, [fill(1, 3, 10), fill(1, 3, 110)], [fill(1, 3, 210), fill(1, 3, 310)]);
    expect(cache.length).toBe(3);
    const layer1 = cache.prefix(1);
    expect(Array.from(layer1.keys)).toEqual([100, 101, 102, 103, 104, 105, 110, 111, 112]);
    expect(Array.from(cache.prefix(0).values.subarray(6))).toEqual([210, 211, 212]);
    expect(layer1.keys.buffer).toBe(cache.keys[1]?.buffer);
  });

  it('rolls back rejected positions and overwrites them on the next append', () => {
    const cache = new KvCache(1, 2, 4);
    cache.append(3, [fill(3, 2, 0)], [fill(3, 2, 0)]);
    cache.truncate(1);
    cache.append(1, [fill(1, 2, 50)], [fill(1, 2, 60)]);
    expect(Array.from(cache.prefix(0).keys)).toEqual([0, 1, 50, 51]);
    expect(Array.from(cache.prefix(0).values)).toEqual([0, 1, 60, 61]);
  });

  it('keeps rows position-major, each growing and rolling back at its own length', () => {
    const cache = new KvCache(1, 2, 4, 2);
    // A batched output: row 0's two positions, then row 1's.
    const out = fill(4, 2, 0);
    cache.append(2, [out], [out], 0, 0);
    cache.append(1, [out], [out], 1, 4);
    expect([cache.lengthOf(0), cache.lengthOf(1), cache.length]).toEqual([2, 1, 2]);
    // [position][row][width]: row 1's second position is not written yet.
    expect(Array.from(cache.prefix(0).keys)).toEqual([0, 1, 4, 5, 2, 3, 0, 0]);
    cache.truncate(1, 0);
    cache.append(1, [fill(1, 2, 70)], [fill(1, 2, 80)], 1);
    expect(Array.from(cache.prefix(0).values)).toEqual([0, 1, 4, 5, 2, 3, 80, 81]);
    expect(() => cache.lengthOf(2)).toThrow(/no row 2/);
  });

  it('refuses to overflow, to grow by truncation, or to take the wrong number of layers', () => {
    const cache = new KvCache(2, 2, 2);
    expect(() => cache.append(3, [fill(3, 2, 0), fill(3, 2, 0)], [fill(3, 2, 0), fill(3, 2, 0)])).toThrow(/full/);
    expect(() => cache.append(1, [fill(1, 2, 0)], [fill(1, 2, 0)])).toThrow(/2 layers/);
    expect(() => cache.truncate(1)).toThrow(/cannot truncate/);
  });
});

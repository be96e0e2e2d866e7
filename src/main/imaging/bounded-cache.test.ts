import { describe, expect, it } from 'vitest';
import { BoundedCache } from './bounded-cache';

describe('BoundedCache', () => {
  it('evicts the least recently used entries beyond its size', () => {
    const cache = new BoundedCache<string, Uint8Array>(10, (v) => v.byteLength);
    cache.set('a', new Uint8Array(4));
    cache.set('b', new Uint8Array(4));
    expect(cache.get('a')).toBeDefined(); // a is now the most recent
    cache.set('c', new Uint8Array(4));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
    expect(cache.size).toBe(8);
  });

  it('keeps a single entry larger than the budget until the next one arrives', () => {
    const cache = new BoundedCache<string, Uint8Array>(10, (v) => v.byteLength);
    cache.set('big', new Uint8Array(50));
    expect(cache.get('big')).toBeDefined();
    cache.set('small', new Uint8Array(2));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.count).toBe(1);
  });

  it('replaces an entry without counting it twice', () => {
    const cache = new BoundedCache<string, Uint8Array>(10, (v) => v.byteLength);
    cache.set('a', new Uint8Array(6));
    cache.set('a', new Uint8Array(3));
    expect(cache.size).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeWire, encodeWire } from './wire';

describe('wire codec', () => {
  it('round-trips typed arrays inside plain JSON, including views with an offset', () => {
    const backing = new Int16Array([9, -300, 7, 32767, -32768]);
    const value = {
      pixels: backing.subarray(1, 4),
      mask: new Uint8Array([0, 1, 255]),
      weights: new Float32Array([0.5, -1.25]),
      nested: [{ big: new Uint32Array([4_000_000_000]) }],
      text: 'ok',
    };
    const decoded = decodeWire(encodeWire(value)) as typeof value;
    expect(decoded.pixels).toBeInstanceOf(Int16Array);
    expect(Array.from(decoded.pixels)).toEqual([-300, 7, 32767]);
    expect(Array.from(decoded.mask)).toEqual([0, 1, 255]);
    expect(Array.from(decoded.weights)).toEqual([0.5, -1.25]);
    expect(decoded.nested[0]?.big[0]).toBe(4_000_000_000);
    expect(decoded.text).toBe('ok');
  });

  it('refuses unsupported typed arrays and a forged marker', () => {
    expect(() => encodeWire({ v: new BigInt64Array(1) })).toThrow(/BigInt64Array/);
    expect(() => decodeWire('{"$typed":"Function","data":""}')).toThrow(/bad typed array/);
  });
});

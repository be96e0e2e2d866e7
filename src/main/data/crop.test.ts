import { describe, expect, it } from 'vitest';
import { cropBox } from './crop';

describe('cropBox', () => {
  it('crops any sample type, row by row', () => {
    const plane = { width: 4, height: 3, bitsStored: 16 as const, data: Uint16Array.from({ length: 12 }, (_, i) => i) };
    const crop = cropBox(plane, { x: 1, y: 1, width: 3, height: 2 });
    expect(crop).toEqual({ width: 3, height: 2, bitsStored: 16, data: Uint16Array.from([5, 6, 7, 9, 10, 11]) });
  });
});

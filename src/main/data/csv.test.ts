import { describe, expect, it } from 'vitest';
import { parseCsv } from './csv';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and CRLF line ends', () => {
    const text = '\ufeffimage,mask,description\r\na.jpg,a.png,"One lesion, in the ""femur"""\r\nb.jpg,b.png,plain\n';
    expect(parseCsv(text)).toEqual([
      ['image', 'mask', 'description'],
      ['a.jpg', 'a.png', 'One lesion, in the "femur"'],
      ['b.jpg', 'b.png', 'plain'],
    ]);
  });

  it('refuses an unterminated quote', () => {
    expect(() => parseCsv('a,"b\n')).toThrow(/unterminated/);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../testing/shared-data';
import { decodeRaster, encodePngGrey } from './raster';
import { rasterSize } from './raster-size';

describe('rasterSize', () => {
  it('reads PNG and JPEG sizes from the header, as the decoder sees them', () => {
    const png = encodePngGrey({ width: 7, height: 3, bitsStored: 16, data: new Uint16Array(21) });
    expect(rasterSize(png)).toEqual({ width: 7, height: 3 });
    const jpg = jpeg.encode({ width: 5, height: 9, data: Buffer.alloc(5 * 9 * 4, 128) }, 90).data;
    expect(rasterSize(jpg)).toEqual({ width: 5, height: 9 });
  });

  it('agrees with the decoder on a real radiograph', () => {
    const dir = sharedPath('data/covid-qu-ex/val/covid/images');
    const bytes = readFileSync(join(dir, readdirSync(dir).sort()[0]!));
    const { width, height } = decodeRaster(bytes);
    expect(rasterSize(bytes)).toEqual({ width, height });
  });

  it('rejects a JPEG cut before its frame header and non-rasters', () => {
    const jpg = jpeg.encode({ width: 5, height: 9, data: Buffer.alloc(5 * 9 * 4, 128) }, 90).data;
    expect(() => rasterSize(jpg.subarray(0, 30))).toThrow(/JPEG/);
    expect(() => rasterSize(Buffer.from('hello world'))).toThrow('not a PNG or JPEG file');
  });
});

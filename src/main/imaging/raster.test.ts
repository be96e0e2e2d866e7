import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sharedPath } from '../testing/shared-data';
import { decodeRaster, encodePngGrey, readBinaryMask, readRaster } from './raster';

describe('raster decoding', () => {
  it('round-trips 8- and 16-bit greyscale PNG', () => {
    for (const bitsStored of [8, 16] as const) {
      const data =
        bitsStored === 8 ? new Uint8Array([0, 17, 128, 255, 3, 9]) : new Uint16Array([0, 1000, 40000, 65535, 3, 9]);
      const decoded = decodeRaster(encodePngGrey({ width: 3, height: 2, bitsStored, data }));
      expect(decoded).toMatchObject({ width: 3, height: 2, bitsStored });
      expect(Array.from(decoded.data)).toEqual(Array.from(data));
    }
  });

  it('reads a real chest X-ray PNG and its binary mask', async () => {
    const dir = sharedPath('data/covid-qu-ex/val/covid/images');
    const name = readdirSync(dir).sort()[0]!;
    const image = await readRaster(join(dir, name));
    expect(image).toMatchObject({ width: 256, height: 256, bitsStored: 8 });
    expect(Math.max(...image.data)).toBeGreaterThan(100);
    const mask = await readBinaryMask(sharedPath('data/covid-qu-ex/val/covid/lung-masks', name));
    const ones = mask.data.reduce((a, b) => a + b, 0);
    expect(new Set(mask.data)).toEqual(new Set([0, 1]));
    expect(ones / mask.data.length).toBeGreaterThan(0.1);
  });

  it('reads a real JPEG radiograph as greyscale', async () => {
    const dir = sharedPath('data/btxrd/val/images');
    const image = await readRaster(join(dir, readdirSync(dir).sort()[0]!));
    expect(image.bitsStored).toBe(8);
    expect(image.data.length).toBe(image.width * image.height);
    expect(Math.max(image.width, image.height)).toBeLessThanOrEqual(512);
  });

  it('refuses a small PNG that declares more pixels than the memory ceiling, before decoding it', () => {
    // 4000x4000 of one grey: a 16 KiB file, and four 16-bit channels per pixel in the decoder.
    const png = encodePngGrey({ width: 4000, height: 4000, bitsStored: 8, data: new Uint8Array(4000 * 4000) });
    expect(png.length).toBeLessThan(64 * 1024);
    expect(decodeRaster(png).width).toBe(4000);
    // A lower ceiling than the default 512 MiB stands in for a bigger image: the same check.
    process.env.NEXTMASK_MAX_INFLATED_MB = '64';
    try {
      expect(() => decodeRaster(png)).toThrow(
        'a 4000x4000 image decodes to 122 MiB, above the 64 MiB limit (NEXTMASK_MAX_INFLATED_MB)',
      );
    } finally {
      delete process.env.NEXTMASK_MAX_INFLATED_MB;
    }
  });

  it('rejects bytes that are neither PNG nor JPEG', () => {
    expect(() => decodeRaster(new Uint8Array([1, 2, 3, 4]))).toThrow(/not a PNG or JPEG/);
    expect(() => decodeRaster(new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0]))).toThrow();
  });
});

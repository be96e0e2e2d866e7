// Mask ↔ PNG (8-bit greyscale, 0/255), the format of the training data's masks. Decoding and
// encoding go through the shared raster module.
import { writeFile } from 'node:fs/promises';
import { createMask, type Mask } from '../../shared/labelmap/mask';
import { encodePngGrey, readBinaryMask } from '../imaging/raster';

export function encodeMaskPng(mask: Mask): Buffer {
  const data = new Uint8Array(mask.data.length);
  for (let i = 0; i < data.length; i++) data[i] = mask.data[i] ? 255 : 0;
  return encodePngGrey({ width: mask.width, height: mask.height, bitsStored: 8, data });
}

export async function writeMaskPng(path: string, mask: Mask): Promise<void> {
  await writeFile(path, encodeMaskPng(mask));
}

/**
 * Reads a binary mask PNG (0/255 or 0/1; colour PNGs by luma). When the image size is given, a
 * mask of another size is refused rather than stretched.
 */
export async function readMaskPng(path: string, expected?: { width: number; height: number }): Promise<Mask> {
  // Checked from the header, before the mask is decoded.
  const image = await readBinaryMask(path, (size) => {
    if (expected && (size.width !== expected.width || size.height !== expected.height)) {
      throw new Error(`mask is ${size.width}x${size.height}, the image is ${expected.width}x${expected.height}`);
    }
  });
  const mask = createMask(image.width, image.height);
  mask.data.set(image.data);
  return mask;
}

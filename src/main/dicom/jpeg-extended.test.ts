// JPEG baseline and extended (8- and 12-bit), checked against dcmtk: the test compresses
// shared files with dcmcjpeg, decodes them with decodeFrame, and compares with dcmdjpeg's
// decompression of the same compressed file (the reference, read through our native path,
// which reference.test.ts checks against dcmtk itself). Skipped when dcmtk is missing.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { modalityPixels } from '../imaging/frame';
import { sharedPath } from '../testing/shared-data';
import { hasTool } from '../testing/tools';
import { decodeFrame } from './decode-frame';
import { parseInstance } from './parse';

const TOOLS = hasTool('dcmcjpeg') && hasTool('dcmdjpeg');
const work = mkdtempSync(join(tmpdir(), 'nextmask-jpeg-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const EXTENDED = '1.2.840.10008.1.2.4.51';
const BASELINE = '1.2.840.10008.1.2.4.50';

/** dcmcjpeg with `option`, then dcmdjpeg of that output: [compressed, dcmtk's decompression]. */
function compressAndReference(source: string, option: string, name: string): [Uint8Array, Uint8Array] {
  const compressed = join(work, `${name}.jpeg.dcm`);
  const reference = join(work, `${name}.raw.dcm`);
  execFileSync('dcmcjpeg', [option, source, compressed], { stdio: 'ignore' });
  execFileSync('dcmdjpeg', [compressed, reference], { stdio: 'ignore' });
  return [readFileSync(compressed), readFileSync(reference)];
}

const CASES = [
  { name: 'ct-12bit-extended', file: ['ct-3slice-with-seg', '01.dcm'], option: '+ee', bits: 12, syntax: EXTENDED },
  { name: 'ct-small-12bit-extended', file: ['misc', 'CT_small.dcm'], option: '+ee', bits: 12, syntax: EXTENDED },
  {
    name: 'mr-12bit-extended',
    file: ['transfer-syntaxes', 'implicit_little.dcm'],
    option: '+ee',
    bits: 12,
    syntax: EXTENDED,
  },
  {
    name: 'mr-8bit-extended',
    file: ['transfer-syntaxes', 'explicit_little.dcm'],
    option: '+ee',
    bits: 8,
    syntax: EXTENDED,
  },
  { name: 'ct-8bit-baseline', file: ['ct-3slice-with-seg', '01.dcm'], option: '+eb', bits: 8, syntax: BASELINE },
];

describe.skipIf(!TOOLS)('JPEG baseline/extended against dcmdjpeg', { timeout: 60_000 }, () => {
  for (const c of CASES) {
    it(`${c.name}: decodes like dcmdjpeg, close to the original`, async () => {
      const source = sharedPath('dicom', ...c.file);
      const [compressedBytes, referenceBytes] = compressAndReference(source, c.option, c.name);
      const compressed = await parseInstance(compressedBytes);
      expect(compressed.header.transferSyntaxUid).toBe(c.syntax);
      expect(compressed.header.pixel?.bitsStored).toBe(c.bits);

      const ours = await decodeFrame(compressed, 0);
      const reference = await decodeFrame(await parseInstance(referenceBytes), 0);
      expect([ours.rows, ours.columns]).toEqual([reference.rows, reference.columns]);
      expect(ours.rescale).toEqual(reference.rescale);
      // Same compressed stream, two IDCT implementations: integer rounding only.
      let worst = 0;
      let total = 0;
      for (let i = 0; i < ours.stored.length; i++) {
        const diff = Math.abs((ours.stored[i] as number) - (reference.stored[i] as number));
        worst = Math.max(worst, diff);
        total += diff;
      }
      expect(worst, 'worst stored difference').toBeLessThanOrEqual(1);
      expect(total / ours.stored.length, 'mean stored difference').toBeLessThan(0.5);
      // 12-bit samples must not have been squeezed through 8 bits.
      if (c.bits > 8) expect(ours.maxStored).toBeGreaterThan(255);

      // Lossy, and dcmcjpeg rescales into its bit depth: the modality values stay near the original's.
      const original = modalityPixels(await decodeFrame(await parseInstance(readFileSync(source)), 0));
      const decoded = modalityPixels(ours);
      let range = 0;
      let error = 0;
      for (let i = 0; i < original.length; i++) {
        range = Math.max(range, Math.abs(original[i] as number));
        error += Math.abs((decoded[i] as number) - (original[i] as number));
      }
      // 8 bits for a CT's 4000 HU is coarse; 12 bits is not.
      expect(error / original.length, 'mean error against the original').toBeLessThan(range / (c.bits > 8 ? 200 : 50));
    });
  }

  it('a corrupt 12-bit stream is a clear error', async () => {
    const [compressedBytes] = compressAndReference(sharedPath('dicom', 'misc', 'CT_small.dcm'), '+ee', 'corrupt');
    const instance = await parseInstance(compressedBytes);
    const element = instance.dataSet.elements.x7fe00010!;
    const start = element.fragments![0]!.position;
    // Overwrite the stream's markers after SOI: no frame header remains.
    instance.dataSet.byteArray.fill(0xff, start + 2, start + 400);
    await expect(decodeFrame(instance, 0)).rejects.toThrow(/JPEG extended: /);
  });
});

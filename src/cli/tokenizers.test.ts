import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePngGrey } from '../main/imaging/raster';
import { MaskCodebook } from '../main/tokenizers/mask-codebook';
import { TextVocab } from '../main/tokenizers/text-vocab';
import { DOC_END, DOC_START, tokenizersCommand } from './tokenizers';

/** A PNG of `w`x`h` whose pixels are `f(x, y)` (0..255). */
function png(w: number, h: number, f: (x: number, y: number) => number): Buffer {
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = f(x, y);
  return encodePngGrey({ width: w, height: h, bitsStored: 8, data });
}

const inRect = (x: number, y: number, x0: number, y0: number, x1: number, y1: number) =>
  x >= x0 && x <= x1 && y >= y0 && y <= y1 ? 255 : 0;
const lungs = (x: number, y: number) => inRect(x, y, 30, 40, 110, 220) || inRect(x, y, 146, 40, 226, 220);

/** A tiny folder laid out like ../shared/data: two COVID films per split and one btxrd radiograph. */
async function makeData(root: string): Promise<void> {
  for (const split of ['train', 'val']) {
    const dir = join(root, 'covid-qu-ex', split, 'covid');
    for (const sub of ['images', 'infection-masks', 'lung-masks']) await mkdir(join(dir, sub), { recursive: true });
    for (const [i, shift] of [0, 9].entries()) {
      const name = `c${i}.png`;
      await writeFile(
        join(dir, 'images', name),
        png(256, 256, (x, y) => (x * 3 + y + shift) % 256),
      );
      await writeFile(join(dir, 'lung-masks', name), png(256, 256, lungs));
      await writeFile(
        join(dir, 'infection-masks', name),
        png(256, 256, (x, y) => inRect(x, y, 160 + shift, 60, 200, 100)),
      );
    }
    const bone = join(root, 'btxrd', split);
    await mkdir(join(bone, 'images'), { recursive: true });
    await mkdir(join(bone, 'masks'), { recursive: true });
    await writeFile(
      join(bone, 'images', 'b.jpg'),
      png(300, 200, (x, y) => (x + y) % 256),
    );
    await writeFile(
      join(bone, 'masks', 'b.png'),
      png(300, 200, (x, y) => inRect(x, y, 100, 50, 180, 120)),
    );
    await writeFile(
      join(bone, 'descriptions.csv'),
      'image,mask,description\nimages/b.jpg,masks/b.png,"One benign lesion in the femur, located in the central region."\n',
    );
  }
}

describe('nextmask tokenizers', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'nextmask-tokenizers-'));
    await makeData(join(root, 'data'));
    await writeFile(join(root, 'DATA.md'), `# doc\n\n${DOC_START}\nold\n${DOC_END}\ntail\n`);
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('learns, writes the files with their sha256, measures val and rewrites the doc block', async () => {
    const out = join(root, 'out');
    const args = ['--data', join(root, 'data'), '--out', out, '--doc', join(root, 'DATA.md')];
    const small = [
      '--mask-k',
      '16',
      '--image-k',
      '8',
      '--image-levels',
      '2',
      '--image-count',
      '2',
      '--image-iterations',
      '2',
    ];
    expect(await tokenizersCommand([...args, ...small])).toBe(0);
    const mask = MaskCodebook.parse(await readFile(join(out, 'mask-codebook.bin')));
    expect(mask.size).toBe(16);
    const text = TextVocab.parse(await readFile(join(out, 'text-vocab.json'), 'utf8'));
    expect(text.size).toBeGreaterThan(10);
    const manifest = JSON.parse(await readFile(join(out, 'tokenizers.json'), 'utf8'));
    expect(Object.keys(manifest.files).sort()).toEqual([
      'image-codebook.bin',
      'image-encoder.onnx',
      'mask-codebook.bin',
      'text-vocab.json',
    ]);
    expect(manifest.report.mask.infection.n).toBe(2);
    expect(manifest.report.mask.btxrd.n).toBe(1);
    // rectangles on a 16-pixel grid are easy: the round trip must be near perfect
    expect(manifest.report.mask.lung.dice).toBeGreaterThan(0.95);
    expect(manifest.report.imagePsnr.chest.byLevels).toHaveLength(2);
    // the one btxrd film's lesion, measured through the image tokens
    expect(manifest.report.lesions).toHaveLength(1);
    expect(manifest.report.lesions[0].n).toBe(1);
    expect(manifest.report.lesions[0].correlation).toBeGreaterThanOrEqual(-1);
    expect(manifest.report.lesions[0].correlation).toBeLessThanOrEqual(1);
    const doc = await readFile(join(root, 'DATA.md'), 'utf8');
    expect(doc).not.toContain('old');
    expect(doc).toMatch(/\| infection \| 2 +\| /);
    expect(doc).toMatch(/\| contrast kept \(median\) \|/);
    expect(doc.endsWith(`${DOC_END}\ntail\n`)).toBe(true);

    // --evaluate-only re-measures the written files without learning them again
    expect(await tokenizersCommand([...args, '--evaluate-only'])).toBe(0);
    expect(MaskCodebook.parse(await readFile(join(out, 'mask-codebook.bin'))).bits).toEqual(mask.bits);
  });

  it('refuses a missing --data and bad numbers', async () => {
    await expect(tokenizersCommand([])).rejects.toThrow(/--data/);
    await expect(tokenizersCommand(['--data', root, '--mask-k', 'many'])).rejects.toThrow(
      /--mask-k must be a whole number/,
    );
  });
});

// The tokenizers shipped in models/tokenizers: intact (sha256 as the manifest says), loadable, and
// doing on real val data what docs/DATA.md reports.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSamples, loadSample } from '../data/samples';
import { hostTensor, openSession } from '../engine/session';
import { psnr } from '../evaluation/psnr';
import { SegmentationScores } from '../evaluation/segmentation';
import { REPO_ROOT, SHARED_DATA, sharedPath } from '../testing/shared-data';
import { ImageCodebook } from './image-codebook';
import { MaskCodebook } from './mask-codebook';
import { TextVocab } from './text-vocab';

const DIR = join(REPO_ROOT, 'models/tokenizers');
const read = (file: string) => readFile(join(DIR, file));

describe('shipped tokenizers', () => {
  it('match the sha256 manifest', async () => {
    const manifest = JSON.parse((await read('tokenizers.json')).toString('utf8')) as { files: Record<string, string> };
    expect(Object.keys(manifest.files).length).toBe(4);
    for (const [file, sha] of Object.entries(manifest.files)) {
      expect(
        createHash('sha256')
          .update(await read(file))
          .digest('hex'),
        file,
      ).toBe(sha);
    }
  });

  it('round-trip real val masks and images, and the ONNX encoder agrees with the codebook', async () => {
    sharedPath('data');
    const mask = MaskCodebook.parse(await read('mask-codebook.bin'));
    const image = ImageCodebook.parse(await read('image-codebook.bin'));
    expect(mask.size).toBe(1024);
    expect(TextVocab.parse((await read('text-vocab.json')).toString('utf8')).size).toBeGreaterThan(100);
    const { session } = await openSession(new Uint8Array(await read('image-encoder.onnx')), { threads: 1 });

    const sources = (await listSamples(SHARED_DATA, 'val', { groups: ['infection'] })).slice(0, 8);
    const scores = new SegmentationScores();
    for (const source of sources) {
      const sample = await loadSample(source);
      scores.add(mask.detokenize(mask.encode(sample.mask), 256, 256).data, sample.mask.data);
    }
    expect(scores.summary().dice).toBeGreaterThan(0.95);

    const sample = await loadSample(sources[0]!);
    const tokens = image.encode(sample.image);
    expect(psnr(sample.image.data, image.decode(tokens).data)).toBeGreaterThan(28);
    const out = await session.run({ image: hostTensor(sample.image.data, [256, 256]) });
    const onnx = Array.from(out.tokens?.data as BigInt64Array, Number);
    const same = onnx.filter((t, i) => t === tokens[i]).length;
    expect(same).toBeGreaterThanOrEqual(tokens.length - 3);
  });
});

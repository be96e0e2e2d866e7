// `nextmask export` from a model folder: the same weights and files under this version's graphs, loadable.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, releaseModel } from '../main/segmenter/runtime/model-files';
import { writeRandomModel } from '../main/testing/tiny-model';
import { modelWeights } from '../main/training/model-weights';
import { exportCommand } from './export';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nextmask-export-'));
  await writeRandomModel(dir, 4, 'expected');
}, 30_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('nextmask export <model folder>', () => {
  it('writes the folder again with the same weights, model.json and tokenizers, and it loads', async () => {
    const from = join(dir, 'model');
    const to = join(dir, 'again');
    expect(await exportCommand([from, '--out', to])).toBe(0);
    for (const file of ['model.json', 'mask-codebook.bin', 'image-codebook.bin', 'text-vocab.json'])
      expect(Buffer.compare(await readFile(join(from, file)), await readFile(join(to, file))), file).toBe(0);
    const [a, b] = [await modelWeights(from), await modelWeights(to)];
    expect(Object.keys(b.params)).toEqual(Object.keys(a.params));
    for (const [name, values] of Object.entries(a.params))
      expect(Buffer.from((b.params[name] as Float32Array).buffer).equals(Buffer.from(values.buffer)), name).toBe(true);
    const model = await loadModel(to, 1);
    expect(model.rule).toBe('expected');
    await releaseModel(model);
    await expect(exportCommand([from, '--out', from])).rejects.toThrow(/not onto itself/);
  }, 60_000);
});

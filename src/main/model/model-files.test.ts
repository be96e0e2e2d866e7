import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRandomModel } from '../testing/tiny-model';
import { loadModel, releaseModel, ZOOM_DIR } from './model-files';
import { segment } from './segment';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nextmask-model-files-'));
  await writeRandomModel(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the model decoding rule', () => {
  const modelJson = () => join(dir, 'model', 'model.json');
  const setRule = async (rule: string) => {
    const file = JSON.parse(await readFile(modelJson(), 'utf8'));
    await writeFile(modelJson(), JSON.stringify({ ...file, decodeRule: rule }));
  };

  it('is written as argmax by default and read back', async () => {
    expect(JSON.parse(await readFile(modelJson(), 'utf8')).decodeRule).toBe('argmax');
    const model = await loadModel(join(dir, 'model'), 1);
    expect(model.rule).toBe('argmax');
    await releaseModel(model);
  });

  it("is segment()'s default: a model marked expected decodes as an explicit expected request does", async () => {
    await setRule('expected');
    const model = await loadModel(join(dir, 'model'), 1);
    expect(model.rule).toBe('expected');
    const image = {
      width: 256,
      height: 256,
      data: Float32Array.from({ length: 256 * 256 }, (_, i) => (i % 251) / 251),
    };
    const size = { width: 64, height: 80 };
    const byDefault = await segment(model, image, 'left lung', size);
    const explicit = await segment(model, image, 'left lung', size, { rule: 'expected' });
    const argmax = await segment(model, image, 'left lung', size, { rule: 'argmax' });
    expect(byDefault.tokens).toEqual(explicit.tokens);
    // The random model is scaled so that the rules disagree somewhere; otherwise this test proves nothing.
    expect(argmax.tokens).not.toEqual(explicit.tokens);
    await releaseModel(model);
  });

  it('refuses an unknown rule with a message naming the file', async () => {
    await setRule('beam');
    await expect(loadModel(join(dir, 'model'), 1)).rejects.toThrow(/model\.json: unknown decodeRule "beam"/);
  });
});

describe("a model folder's zoom model", () => {
  it('is opened with the folder from its zoom/ subfolder, and a broken one is named', async () => {
    const folder = join(dir, 'with-zoom');
    await cp(join(dir, 'model'), folder, { recursive: true });
    await writeFile(
      join(folder, 'model.json'),
      JSON.stringify({ ...JSON.parse(await readFile(join(folder, 'model.json'), 'utf8')), decodeRule: 'expected' }),
    );
    const alone = await loadModel(folder, 1);
    expect(alone.zoom).toBeUndefined();
    await releaseModel(alone);
    await cp(folder, join(dir, 'zoom-copy'), { recursive: true });
    await cp(join(dir, 'zoom-copy'), join(folder, ZOOM_DIR), { recursive: true });
    const model = await loadModel(folder, 1);
    expect(model.zoom?.architecture).toEqual(model.architecture);
    expect(model.zoom?.zoom).toBeUndefined();
    await releaseModel(model);
    await writeFile(join(folder, ZOOM_DIR, 'model.json'), '{"format": "other"}');
    await expect(loadModel(folder, 1)).rejects.toThrow(`${join(folder, ZOOM_DIR, 'model.json')} is not a`);
  });
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeRandomModel } from '../../testing/tiny-model';
import { segment } from '../pipeline/segment';
import { loadModel, releaseModel } from './model-files';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nextmask-model-files-'));
  await writeRandomModel(dir);
}, 60_000);
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

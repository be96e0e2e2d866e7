import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportModel, readModelFile } from '../model-files/model-folder';
import { randomParams, writeRandomModel } from '../testing/tiny-model';
import { floatInitializers, modelWeights } from './model-weights';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nextmask-model-weights-'));
  await writeRandomModel(dir, 3);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('modelWeights', () => {
  it('reads back exactly the parameters the model was exported with, with their shapes', async () => {
    const { architecture } = await readModelFile(join(dir, 'model'));
    const exported = randomParams(architecture, 3, 20);
    const read = await modelWeights(join(dir, 'model'));
    expect(Object.keys(read.params).sort()).toEqual(Object.keys(exported).sort());
    for (const [name, values] of Object.entries(exported)) expect(read.params[name]).toEqual(values);
    expect(read.shapes['embed.tokens']).toEqual([expect.any(Number), architecture.width]);
    expect(read.architecture).toEqual(architecture);
  });

  it('re-exports to byte-identical graphs', async () => {
    const read = await modelWeights(join(dir, 'model'));
    const again = join(dir, 'again');
    await exportModel(again, read.architecture, read.params, join(dir, 'tokenizers'), { random: true, seed: 3 });
    for (const file of ['prefill.onnx', 'decode.onnx'])
      expect(await readFile(join(again, file))).toEqual(await readFile(join(dir, 'model', file)));
  });

  it('names a model whose graph lacks a parameter or has it in another shape', async () => {
    const { architecture } = await readModelFile(join(dir, 'model'));
    const params = randomParams(architecture, 3);
    const broken = join(dir, 'broken');
    await exportModel(broken, architecture, params, join(dir, 'tokenizers'), {});
    const wider = { ...architecture, width: architecture.width * 2 };
    const file = JSON.parse(await readFile(join(broken, 'model.json'), 'utf8'));
    await writeFile(join(broken, 'model.json'), JSON.stringify({ ...file, architecture: wider }));
    await expect(modelWeights(broken)).rejects.toThrow(/prefill\.onnx: \S+ is \d+x\d+, the architecture says/);
  });

  it('refuses a file that is not an ONNX model', () => {
    expect(() => floatInitializers(new Uint8Array([0x08, 0x0a]))).toThrow(/not an ONNX model/);
  });
});

import { cp, mkdtemp, readdir, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segment } from '../segmenter/pipeline/segment';
import { loadModel, releaseModel } from '../segmenter/runtime/model-files';
import { REPO_ROOT } from '../testing/shared-data';
import { writeRandomModel } from '../testing/tiny-model';
import { modelWeights } from '../training/model-weights';
import { MANIFEST_FILE, verifyManifest, writeManifest } from './manifest';
import { copyModel, DEFAULT_MODEL_DIR, textModelBeside } from './model-folder';

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
    // A deliberate edit: the manifest follows it, or the folder would be refused as tampered.
    const names = Object.keys(JSON.parse(await readFile(join(dir, 'model', MANIFEST_FILE), 'utf8')).sha256);
    await writeManifest(join(dir, 'model'), names);
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

describe("model.json's fitted decoding settings", () => {
  const image = { width: 256, height: 256, data: Float32Array.from({ length: 256 * 256 }, (_, i) => (i % 251) / 251) };
  const size = { width: 64, height: 80 };
  const prompt = 'osteochondroma of the left femur';
  /** A copy of the random model, expected rule, with `decoding` written into its model.json (none: left out). */
  const withDecoding = async (name: string, decoding?: unknown) => {
    const folder = join(dir, name);
    await cp(join(dir, 'model'), folder, { recursive: true });
    const path = join(folder, 'model.json');
    const { decoding: _old, ...file } = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...file, decodeRule: 'expected', ...(decoding ? { decoding } : {}) }));
    const names = Object.keys(JSON.parse(await readFile(join(folder, MANIFEST_FILE), 'utf8')).sha256);
    await writeManifest(folder, names);
    return folder;
  };

  it('loads a folder without it (as every folder written before it) and one with it', async () => {
    const old = await loadModel(await withDecoding('no-decoding'), 1);
    expect(old.decoding).toEqual({});
    await releaseModel(old);
    const fitted = await loadModel(await withDecoding('decoding', { lesionCut: 0.27 }), 1);
    expect(fitted.decoding).toEqual({ lesionCut: 0.27 });
    await releaseModel(fitted);
  });

  it("is segment()'s default lesion cut, and an explicit option still wins", async () => {
    const model = await loadModel(await withDecoding('decoding-low', { lesionCut: 0.01 }), 1);
    const byDefault = await segment(model, image, prompt, size);
    const explicit = await segment(model, image, prompt, size, { lesionCut: 0.01 });
    const overridden = await segment(model, image, prompt, size, { lesionCut: 1 });
    expect(byDefault.cut).toBe(explicit.cut);
    expect(byDefault.mask.data).toEqual(explicit.mask.data);
    // The random model's map must reach 0.01 and stay below 1 somewhere, or the cuts could not differ.
    expect(overridden.cut).not.toBe(byDefault.cut);
    await releaseModel(model);
  });

  it('refuses a cut outside (0, 1], naming the file', async () => {
    const folder = await withDecoding('decoding-bad', { lesionCut: 3 });
    await expect(loadModel(folder, 1)).rejects.toThrow(/model\.json: decoding\.lesionCut must be a number in \(0, 1\]/);
  });
});

describe('the model folder manifest', () => {
  const copy = async (name: string) => {
    const to = join(dir, name);
    await cp(join(dir, 'model'), to, { recursive: true });
    return to;
  };
  // Deliberate edits: the rule the tests above left set back to argmax, and the manifest made to match.
  const relist = async (folder: string) => {
    const config = JSON.parse(await readFile(join(folder, 'model.json'), 'utf8'));
    await writeFile(join(folder, 'model.json'), JSON.stringify({ ...config, decodeRule: 'argmax' }));
    const names = Object.keys(JSON.parse(await readFile(join(folder, MANIFEST_FILE), 'utf8')).sha256);
    await writeManifest(folder, names);
  };

  it('lists every file export writes, and the shipped base model matches its manifest', async () => {
    const listed = Object.keys(JSON.parse(await readFile(join(dir, 'model', MANIFEST_FILE), 'utf8')).sha256);
    const files = (await readdir(join(dir, 'model'))).filter((f) => f !== MANIFEST_FILE);
    expect(listed.sort()).toEqual(files.sort());
    await verifyManifest(join(REPO_ROOT, 'models', 'base'), ['prefill.onnx', 'decode.onnx', 'model.json']);
  });

  it('refuses the shipped model with 64 KiB of noise in the middle of both graphs (it would load and answer wrong)', async () => {
    const noisy = join(dir, 'base-noise');
    await cp(join(REPO_ROOT, 'models', 'base'), noisy, { recursive: true });
    for (const graph of ['prefill.onnx', 'decode.onnx']) {
      const bytes = await readFile(join(noisy, graph));
      Buffer.alloc(64 * 1024, 0x5a).copy(bytes, (bytes.length >> 1) - 32 * 1024);
      await writeFile(join(noisy, graph), bytes);
    }
    await expect(loadModel(noisy, 1)).rejects.toThrow(
      /model files changed or damaged: (prefill|decode)\.onnx does not match its sha256 in manifest\.json/,
    );
  });

  it('refuses each file changed by one byte, naming it', async () => {
    const names = (await readdir(join(dir, 'model'))).filter((f) => f !== MANIFEST_FILE);
    expect(names.length).toBeGreaterThanOrEqual(6);
    for (const name of names) {
      const folder = await copy(`tampered-${name}`);
      const bytes = await readFile(join(folder, name));
      bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 0x01, bytes.length >> 1);
      await writeFile(join(folder, name), bytes);
      await expect(loadModel(folder, 1), name).rejects.toThrow(
        `model files changed or damaged: ${name} does not match its sha256 in manifest.json`,
      );
    }
  });

  it('refuses noise written into both graphs, a missing manifest, zeroed hashes and a missing file', async () => {
    const noisy = await copy('noise');
    const noise = Buffer.alloc(64 * 1024, 0x5a);
    for (const graph of ['prefill.onnx', 'decode.onnx']) {
      const bytes = await readFile(join(noisy, graph));
      noise.copy(bytes, 1024);
      await writeFile(join(noisy, graph), bytes);
    }
    await expect(loadModel(noisy, 1)).rejects.toThrow(/model files changed or damaged: (prefill|decode)\.onnx/);

    const bare = await copy('no-manifest');
    await unlink(join(bare, MANIFEST_FILE));
    await expect(loadModel(bare, 1)).rejects.toThrow('model files changed or damaged: manifest.json is missing');

    const zeroed = await copy('zeroed');
    const manifest = JSON.parse(await readFile(join(zeroed, MANIFEST_FILE), 'utf8'));
    for (const name of Object.keys(manifest.sha256)) manifest.sha256[name] = '0'.repeat(64);
    await writeFile(join(zeroed, MANIFEST_FILE), JSON.stringify(manifest));
    await expect(loadModel(zeroed, 1)).rejects.toThrow(/model files changed or damaged: .* does not match its sha256/);

    const partial = await copy('partial');
    const listed = JSON.parse(await readFile(join(partial, MANIFEST_FILE), 'utf8'));
    delete listed.sha256['decode.onnx'];
    await writeFile(join(partial, MANIFEST_FILE), JSON.stringify(listed));
    await expect(loadModel(partial, 1)).rejects.toThrow(
      'model files changed or damaged: decode.onnx is not in manifest.json',
    );
  });

  it('refuses swapped graphs that match their manifest, in words', async () => {
    const swapped = await copy('swapped-graphs');
    const prefill = await readFile(join(swapped, 'prefill.onnx'));
    await writeFile(join(swapped, 'prefill.onnx'), await readFile(join(swapped, 'decode.onnx')));
    await writeFile(join(swapped, 'decode.onnx'), prefill);
    // Unlisted, the swap is tampering; re-listed (say, a faulty export), the graphs themselves are checked.
    await expect(loadModel(swapped, 1)).rejects.toThrow(/model files changed or damaged: (prefill|decode)\.onnx/);
    await relist(swapped);
    await expect(loadModel(swapped, 1)).rejects.toThrow(
      /cannot be opened: .*\(the prefill graph lacks image, text .*; the decode graph lacks tokens, position_a/,
    );
  });

  it('says in words when a graph that matches its manifest cannot be opened', async () => {
    const swapped = await copy('swapped');
    await writeFile(join(swapped, 'decode.onnx'), Buffer.from('not an onnx graph'));
    await relist(swapped);
    await expect(loadModel(swapped, 1)).rejects.toThrow(
      /cannot be opened: its prefill\.onnx or decode\.onnx is not a graph/,
    );
  });
});

describe('a folder opened with other weights, and a folder copied', () => {
  const image = { width: 256, height: 256, data: Float32Array.from({ length: 256 * 256 }, (_, i) => (i % 241) / 241) };
  const size = { width: 64, height: 80 };
  const answer = async (folder: string, params?: Record<string, Float32Array>) => {
    const model = await loadModel(folder, 1, params);
    try {
      return (await segment(model, image, 'left lung', size)).tokens;
    } finally {
      await releaseModel(model);
    }
  };

  it('answers with the weights it is given as the folder exported with them does, and writes nothing', async () => {
    await writeRandomModel(join(dir, 'seed-1'), 1);
    await writeRandomModel(join(dir, 'seed-2'), 2);
    const folder = join(dir, 'seed-1', 'model');
    const other = await modelWeights(join(dir, 'seed-2', 'model'));
    const files = await readdir(folder);
    const own = await answer(folder);
    const given = await answer(folder, other.params);
    expect(given).toEqual(await answer(join(dir, 'seed-2', 'model')));
    // The two random models must answer differently, or the weights given could have been ignored.
    expect(given).not.toEqual(own);
    expect(await readdir(folder)).toEqual(files);
  });

  it('copies a folder byte for byte, with a manifest it loads by', async () => {
    const from = join(dir, 'seed-1', 'model');
    const to = join(dir, 'copied');
    await copyModel(from, to);
    for (const name of await readdir(from))
      expect(await readFile(join(to, name)), name).toEqual(await readFile(join(from, name)));
    expect(await answer(to)).toEqual(await answer(from));
  });
});

describe('the text model beside the default region model', () => {
  it('answers the text of a pointed prompt only when no model was named and the region model is installed', () => {
    // The tests run in the repository root, where models/region ships beside models/base.
    expect(textModelBeside(true, false)).toBe(DEFAULT_MODEL_DIR);
    expect(textModelBeside(true, true)).toBeNull();
    expect(textModelBeside(false, false)).toBeNull();
  });
});

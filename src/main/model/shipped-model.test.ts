// The model shipped in models/base: intact (sha256 as its manifest says), under the 100 MB budget, of
// the documented shape, and it finds lungs on real val films (a floor far below the model card's
// numbers, so that a broken export or tokenizer mismatch fails here rather than in a radiologist's hands).
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GROUPS, listSamples, loadSample } from '../data/samples';
import { greedyDecode } from '../segmenter/decoding';
import { REPO_ROOT, SHARED_DATA, sharedPath } from '../testing/shared-data';
import { evaluateModel } from './evaluate';
import { loadModel, releaseModel } from './model-files';
import { segment } from './segment';

const DIR = join(REPO_ROOT, 'models/base');
const sameMask = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((v, i) => v === b[i]);

describe('shipped base model', () => {
  it('matches its sha256 manifest and stays under 100 MB', async () => {
    const manifest = JSON.parse(await readFile(join(DIR, 'manifest.json'), 'utf8')) as {
      sha256: Record<string, string>;
    };
    const files = Object.keys(manifest.sha256);
    expect(files.sort()).toEqual(
      [
        'decode.onnx',
        'image-codebook.bin',
        'mask-codebook.bin',
        'model.json',
        'prefill.onnx',
        'text-vocab.json',
      ].sort(),
    );
    let bytes = 0;
    for (const file of files) {
      const content = await readFile(join(DIR, file));
      bytes += (await stat(join(DIR, file))).size;
      expect(createHash('sha256').update(content).digest('hex'), file).toBe(manifest.sha256[file]);
    }
    expect(bytes).toBeLessThan(100 * 1024 * 1024);
  });

  it('segments lungs on val films well above chance', async () => {
    sharedPath('data');
    const model = await loadModel(DIR, 2);
    expect(model.architecture.predictHeads).toBe(4);
    const summary = await evaluateModel(model, SHARED_DATA, 'val', { perGroup: 4 });
    expect(summary.lung?.n).toBe(4);
    // Far below the model card's val lung Dice (0.8+), far above an empty or misplaced mask.
    expect(summary.lung?.dice).toBeGreaterThan(0.5);
    await releaseModel(model);
  }, 120_000);

  it('decodes val films speculatively (heads and lookahead) to exactly the greedy tokens, in fewer passes', async () => {
    sharedPath('data');
    const model = await loadModel(DIR, 2);
    const sources = await listSamples(SHARED_DATA, 'val');
    for (const group of GROUPS) {
      const source = sources.find((s) => s.group === group);
      if (!source) continue;
      const sample = await loadSample(source);
      const run = (options: Parameters<typeof segment>[4]) =>
        segment(model, sample.image, sample.text, sample.sourceMask, options);
      const greedy = await run({ decode: greedyDecode });
      const headsOnly = await run({ maxDraft: 0 });
      const lookahead = await run({});
      expect(Array.from(headsOnly.tokens), group).toEqual(Array.from(greedy.tokens));
      expect(Array.from(lookahead.tokens), group).toEqual(Array.from(greedy.tokens));
      expect(headsOnly.forwardPasses).toBeLessThan(greedy.forwardPasses / 2);
      expect(lookahead.forwardPasses).toBeLessThan(headsOnly.forwardPasses);
    }
    await releaseModel(model);
  }, 120_000);

  it('answers an empty first decode with a labelled lower-threshold one, and leaves other answers alone', async () => {
    sharedPath('data');
    const model = await loadModel(DIR, 2);
    const films = (await listSamples(SHARED_DATA, 'val')).filter((s) => s.group === 'btxrd').slice(0, 12);
    const seen = { fallback: 0, direct: 0 };
    for (const source of films) {
      const sample = await loadSample(source);
      const run = (options: Parameters<typeof segment>[4]) =>
        segment(model, sample.image, sample.text, sample.sourceMask, options);
      const first = await run({ fallback: [] });
      const answer = await run({});
      // Empty: no pixel of the views' mean map reaches 0.5.
      const empty = !first.probability?.data.some((p) => p >= 0.5);
      if (empty) {
        seen.fallback++;
        expect(answer.threshold, source.id).toBeLessThan(0.5);
        expect(answer.forwardPasses).toBeGreaterThan(first.forwardPasses);
        // Exactly what one decode at that threshold gives: the fallback is the rule, not a patch-up.
        const direct = await run({ fallback: [answer.threshold as number] });
        expect(Array.from(direct.tokens)).toEqual(Array.from(answer.tokens));
        expect(sameMask(direct.mask.data, answer.mask.data)).toBe(true);
      } else {
        seen.direct++;
        expect(answer.threshold).toBe(0.5);
        expect(Array.from(answer.tokens)).toEqual(Array.from(first.tokens));
        expect(sameMask(answer.mask.data, first.mask.data)).toBe(true);
      }
    }
    // The shipped model leaves most small bone lesions empty at 0.5 (model card), so both paths ran.
    expect(seen.fallback).toBeGreaterThan(0);
    await releaseModel(model);
  }, 120_000);
});

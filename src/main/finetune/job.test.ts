import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FINETUNE_THUMB } from '../../shared/finetune-types';
import { unpackBits } from '../../shared/labelmap/bits';
import { deriveSeed } from '../data/rng';
import { simulatedBox } from '../evaluation/prompt-modes';
import { diceOf, overlap } from '../evaluation/segmentation';
import { resizeNearest } from '../imaging/resample';
import { segmentPointed } from '../segmenter/pipeline/pointed';
import { LESION_CUT, segment } from '../segmenter/pipeline/segment';
import { TEST_TIME_VIEWS } from '../segmenter/pipeline/test-time-views';
import { loadModel, releaseModel } from '../segmenter/runtime/model-files';
import { TINY_REGION, writeRandomModel } from '../testing/tiny-model';
import { modelWeights } from '../training/model-weights';
import { workspaceSet } from './fine-tune-set';
import { type FineTuneItem, loadItem, zoomedId } from './items';
import { DEFAULT_SETTINGS, type FineTuneProgress, type FineTuneSettings, runFineTune } from './job';
import { NO_IMPROVEMENT } from './round-choice';
import { writeFineTuneWorkspace } from './workspace.fixture';

const root = mkdtempSync(join(tmpdir(), 'nextmask-ftjob-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const settings: FineTuneSettings = { ...DEFAULT_SETTINGS, epochs: 8, batch: 2, lr: 3e-2, patience: 8 };

/**
 * Two tiny random models (argmax, and the expected rule whose lesion answers a cut can move) and eight
 * corrected films: four train (two of them held back), four held out; also as lesion prompts.
 */
async function fixture() {
  await writeRandomModel(join(root, 'argmax'));
  await writeRandomModel(join(root, 'expected'), 1, 'expected');
  await writeRandomModel(join(root, 'region'), 1, 'argmax', TINY_REGION);
  const ws = await writeFineTuneWorkspace(join(root, 'ws'), 8);
  const films = (await workspaceSet(ws)).map((e) => e.item);
  ws.close();
  const lesions = films.map((i) => ({ ...i, prompt: 'osteochondroma of the left femur' }));
  return {
    argmax: join(root, 'argmax', 'model'),
    expected: join(root, 'expected', 'model'),
    region: join(root, 'region', 'model'),
    films: { train: films.slice(0, 4), heldOut: films.slice(4) },
    lesions: { train: lesions.slice(0, 4), heldOut: lesions.slice(4) },
  };
}
const ready = fixture();

/** The answers of the model in `dir` for `items`, canonical and with one view, as the job scores them. */
async function answers(dir: string, items: readonly FineTuneItem[], lesionCut?: number) {
  const model = await loadModel(dir, 1);
  try {
    const out = [];
    for (const item of items) {
      const loaded = await loadItem(item);
      const answer = await segment(model, loaded.image, loaded.text, loaded.sourceMask, {
        views: TEST_TIME_VIEWS.slice(0, 1),
        ...(lesionCut === undefined ? {} : { lesionCut }),
      });
      out.push({ mask: answer.mask, dice: diceOf(overlap(answer.mask.data, loaded.sourceMask.data)) });
    }
    return out;
  } finally {
    await releaseModel(model);
  }
}
/** The box answers of the model in `dir`, as a round about box prompts scores them: the clinician's box, else a simulated one. */
async function boxAnswers(dir: string, items: readonly FineTuneItem[], seed: number) {
  const model = await loadModel(dir, 1);
  try {
    const out = [];
    for (const [i, item] of items.entries()) {
      const loaded = await loadItem(item);
      const box = loaded.box ?? simulatedBox(loaded.sourceMask, deriveSeed(seed, i));
      const answer = await segmentPointed(
        model,
        loaded.film,
        loaded.text,
        { box: box! },
        { views: TEST_TIME_VIEWS.slice(0, 1) },
      );
      out.push({ mask: answer.mask, dice: diceOf(overlap(answer.mask.data, loaded.sourceMask.data)) });
    }
    return out;
  } finally {
    await releaseModel(model);
  }
}
const mean = (xs: { dice: number }[]) => xs.reduce((a, b) => a + b.dice, 0) / xs.length;

/** Every file of two folders, byte for byte. */
async function filesOf(dir: string) {
  const names = (await readdir(dir)).sort();
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await readFile(join(dir, n))] as const)));
}

/** A round that answers better: all weights under the L2 guard, lesion prompts, the expected rule. */
const better = (async () => {
  const { expected, lesions } = await ready;
  const events: FineTuneProgress[] = [];
  const outDir = join(root, 'better');
  const result = await runFineTune(
    { modelDir: expected, ...lesions, settings: { ...settings, guard: 'l2' }, outDir },
    { onProgress: (p) => events.push(p) },
  );
  return { result, events, outDir };
})();

describe('runFineTune', () => {
  it('trains on the items not held back, chooses the epoch by the held-back answers, fits the cut, and exports what the verdict judged', async () => {
    const { expected: modelDir, lesions } = await ready;
    const { result: r, events, outDir } = await better;
    const heldBack = lesions.train.filter((i) => r.heldBack.includes(i.id));
    const trained = lesions.train.filter((i) => !r.heldBack.includes(i.id));
    expect(heldBack).toHaveLength(2);
    expect(r.epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    // Two items train, two at a time: one step an epoch.
    const train = events.filter((e) => e.phase === 'train');
    expect(train).toHaveLength(8);
    expect(train.at(-1)).toMatchObject({ step: 8, steps: 8, etaSeconds: 0 });
    const answered = events.flatMap((e) => (e.phase === 'held-back' && e.epoch === 3 ? [e.done] : []));
    expect(answered).toEqual([1, 2]);
    // HET memory: exactly the trained items have remembered errors; the held-back ones never trained.
    expect(Object.keys(r.hetMemory).sort()).toEqual(trained.map((i) => i.id).sort());

    // The epoch with the best decoded Dice is kept, not the one with the lowest held-out loss.
    const dice = r.epochs.map((e) => e.decodedDice);
    expect(r.bestEpoch).toBe(dice.indexOf(Math.max(...dice)));
    const losses = r.epochs.map((e) => e.heldOutLoss);
    expect(r.bestEpoch, 'the fixture must make the two choices differ').not.toBe(losses.indexOf(Math.min(...losses)));
    // The start is the parent answering the held-back items; the kept epoch is the exported weights answering
    // them with the parent's cut.
    expect(r.epochs[0]!.decodedDice).toBeCloseTo(mean(await answers(modelDir, heldBack)), 12);
    expect(r.epochs[r.bestEpoch]!.decodedDice).toBeCloseTo(mean(await answers(outDir, heldBack, LESION_CUT)), 12);

    // The cut fitted on the kept epoch's held-back answers is written with the version, as it beats the parent's.
    const config = JSON.parse(await readFile(join(outDir, 'model.json'), 'utf8'));
    expect(config.decoding).toEqual({ lesionCut: r.lesionCut });
    expect(r.lesionCut).not.toBe(LESION_CUT);
    expect(mean(await answers(outDir, heldBack))).toBeGreaterThan(mean(await answers(outDir, heldBack, LESION_CUT)));

    // The verdict is on the held-out cases, with the weights and the cut the version answers with.
    expect(r.verdict.better).toBe(true);
    expect(r.verdict.text).toBe(`better by ${r.verdict.gain.toFixed(3)} on 4 held-out cases`);
    expect(r.after - r.before).toBeCloseTo(r.verdict.gain, 12);
    const pixels = FINETUNE_THUMB * FINETUNE_THUMB;
    const small = (b64: string) => Array.from(unpackBits(Buffer.from(b64, 'base64'), pixels));
    for (const [dir, side] of [
      [modelDir, 'before'],
      [outDir, 'after'],
    ] as const) {
      const expected = await answers(dir, lesions.heldOut);
      expect(r.cases.map((c) => c[side])).toEqual(expected.map((a) => a.dice));
      expect(r.cases.map((c) => small(c[`${side}Mask`]))).toEqual(
        expected.map((a) => Array.from(resizeNearest(a.mask, FINETUNE_THUMB, FINETUNE_THUMB).data)),
      );
    }
    expect(events.filter((e) => e.phase === 'after')).toHaveLength(4);
    const [before, after] = await Promise.all([modelWeights(modelDir), modelWeights(outDir)]);
    // All weights train under the L2 guard, the embeddings too.
    expect(after.params['layer0.mlp.up.w']).not.toEqual(before.params['layer0.mlp.up.w']);
    expect(after.params['embed.tokens']).not.toEqual(before.params['embed.tokens']);
    expect(after.config).toEqual(before.config);
  }, 120_000);

  it('carries HET memory into the next round, and last-blocks leaves the early weights as they were', async () => {
    const { expected: modelDir, argmax, lesions, films } = await ready;
    const { result: first } = await better;
    const firstLoss = async (hetMemory?: typeof first.hetMemory) => {
      let loss = Number.NaN;
      await runFineTune(
        {
          modelDir,
          ...lesions,
          settings: { ...settings, epochs: 1 },
          outDir: join(root, 'r2'),
          ...(hetMemory ? { hetMemory } : {}),
        },
        {
          onProgress: (p) => {
            if (p.phase === 'train' && p.step === 1) loss = p.loss;
          },
        },
      );
      return loss;
    };
    // Same seed, same batches: only the remembered errors (HET's term) can change the first step's loss.
    expect(await firstLoss(first.hetMemory)).toBeGreaterThan(await firstLoss());

    const outDir = join(root, 'blocks');
    const r = await runFineTune({
      modelDir: argmax,
      ...films,
      settings: { ...settings, guard: 'last-blocks', l2: 0 },
      outDir,
    });
    expect(r.verdict.better, 'the fixture must give a version of its own').toBe(true);
    const [a, b] = await Promise.all([modelWeights(argmax), modelWeights(outDir)]);
    expect(b.params['embed.tokens']).toEqual(a.params['embed.tokens']);
    expect(b.params['final.norm.scale']).not.toEqual(a.params['final.norm.scale']);
    // Chest prompts: no cut answers better than another, so none is written.
    expect(JSON.parse(await readFile(join(outDir, 'model.json'), 'utf8')).decoding).toBeUndefined();
  }, 120_000);

  it('a round whose answers do not improve leaves a byte-for-byte copy of its parent and keeps its HET memory', async () => {
    const { argmax: modelDir, films } = await ready;
    const { result: parent } = await better;
    const parentFiles = await filesOf(modelDir);
    // A gentle rate: the held-back answers never beat the start, so no epoch is chosen.
    const gentle = join(root, 'gentle');
    const g = await runFineTune({
      modelDir,
      ...films,
      settings: { ...settings, lr: 3e-3 },
      outDir: gentle,
      hetMemory: parent.hetMemory,
    });
    expect(g.bestEpoch).toBe(0);
    // A steep rate whose held-back answers improve, but not the held-out ones clearly: the verdict decides.
    const steep = join(root, 'steep');
    const s = await runFineTune({ modelDir, ...films, settings: { ...settings, guard: 'l2' }, outDir: steep });
    expect(s.bestEpoch).toBeGreaterThan(0);
    expect(s.verdict.gain, 'the fixture must gain something that is not clear').toBeGreaterThan(0);
    for (const [r, dir] of [
      [g, gentle],
      [s, steep],
    ] as const) {
      expect(r.verdict).toMatchObject({ better: false, text: NO_IMPROVEMENT });
      expect(await filesOf(dir)).toEqual(parentFiles);
      expect(r.after).toBe(r.before);
      expect(r.cases.map((c) => c.after)).toEqual(r.cases.map((c) => c.before));
      expect(r.lesionCut).toBe(LESION_CUT);
    }
    expect(g.hetMemory).toEqual(parent.hetMemory);
    expect(s.hetMemory).toEqual({});
  }, 120_000);

  it('a round on a model with a region part also trains each correction zoomed, and is chosen and judged by box answers', async () => {
    const { region: modelDir, lesions, argmax } = await ready;
    // One held-out correction carries the box the clinician drew; the others get simulated ones.
    const heldOut = lesions.heldOut.map((item, i) =>
      i === 0 && item.kind === 'file' ? { ...item, box: { x0: 2, y0: 1, x1: 20, y1: 18 } } : item,
    );
    const events: FineTuneProgress[] = [];
    const r = await runFineTune(
      {
        modelDir,
        train: lesions.train,
        heldOut,
        settings: { ...settings, epochs: 2 },
        outDir: join(root, 'region-round'),
      },
      { onProgress: (p) => events.push(p) },
    );
    const trained = lesions.train.filter((i) => !r.heldBack.includes(i.id));
    // Two corrections train, each as its film and zoomed: four items, two a step, two steps an epoch.
    expect(events.filter((e) => e.phase === 'train').at(-1)).toMatchObject({ step: 4, steps: 4 });
    expect(Object.keys(r.hetMemory).sort()).toEqual(trained.flatMap((i) => [i.id, zoomedId(i.id)]).sort());
    // The held-out and held-back answers are box answers.
    const before = await boxAnswers(modelDir, heldOut, settings.seed);
    expect(r.cases.map((c) => c.before)).toEqual(before.map((a) => a.dice));
    const heldBack = lesions.train.filter((i) => r.heldBack.includes(i.id));
    expect(r.epochs[0]!.decodedDice).toBeCloseTo(mean(await boxAnswers(modelDir, heldBack, settings.seed)), 12);
    expect(r.epochs[0]!.decodedDice).not.toBeCloseTo(mean(await answers(modelDir, heldBack)), 6);
    // Box answers keep no map to cut again: the parent's cut stays.
    expect(r.lesionCut).toBe(LESION_CUT);
    // A text-only model cannot give box answers: said before anything runs.
    await expect(
      runFineTune({
        modelDir: argmax,
        ...lesions,
        settings: { ...settings, answers: 'box' },
        outDir: join(root, 'text-box'),
      }),
    ).rejects.toThrow(/^box answers need a model with a region part/);
    expect(existsSync(join(root, 'text-box'))).toBe(false);
  }, 120_000);

  it('says so when too few training cases are left to hold any back, and writes nothing', async () => {
    const { argmax: modelDir, films } = await ready;
    const outDir = join(root, 'too-few');
    await expect(
      runFineTune({ modelDir, train: films.train.slice(0, 3), heldOut: films.heldOut, settings, outDir }),
    ).rejects.toThrow(/^only 3 training cases: a round holds back 2 of them to choose its epoch/);
    expect(existsSync(outDir)).toBe(false);
  });

  it('stops at once when cancelled and writes nothing', async () => {
    const { argmax: modelDir, films } = await ready;
    const outDir = join(root, 'cancelled');
    let steps = 0;
    await expect(
      runFineTune(
        { modelDir, ...films, settings, outDir },
        {
          onProgress: (p) => {
            if (p.phase === 'train') steps++;
          },
          cancelled: () => steps >= 1,
        },
      ),
    ).rejects.toThrow('fine-tuning was cancelled');
    expect(existsSync(outDir)).toBe(false);
  });
});

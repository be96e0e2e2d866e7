import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FINETUNE_THUMB } from '../../shared/finetune-types';
import { unpackBits } from '../../shared/labelmap/bits';
import { diceOf, overlap } from '../evaluation/segmentation';
import { resizeNearest } from '../imaging/resample';
import { segment } from '../segmenter/pipeline/segment';
import { TEST_TIME_VIEWS } from '../segmenter/pipeline/test-time-views';
import { loadModel, releaseModel } from '../segmenter/runtime/model-files';
import { writeRandomModel } from '../testing/tiny-model';
import { modelWeights } from '../training/model-weights';
import { workspaceSet } from './fine-tune-set';
import { type FineTuneItem, loadItem } from './items';
import { DEFAULT_SETTINGS, type FineTuneProgress, runFineTune } from './job';
import { writeFineTuneWorkspace } from './workspace.fixture';

const root = mkdtempSync(join(tmpdir(), 'nextmask-ftjob-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const settings = { ...DEFAULT_SETTINGS, epochs: 2, batch: 2, lr: 3e-3, patience: 5 };

async function fixture() {
  await writeRandomModel(join(root, 'tiny'));
  const ws = await writeFineTuneWorkspace(join(root, 'ws'), 4);
  const items = (await workspaceSet(ws)).map((e) => e.item);
  ws.close();
  return { modelDir: join(root, 'tiny', 'model'), items };
}
const ready = fixture();

/** The answers of the model in `dir` for `items`, canonical and with one view, as the job scores them. */
async function answers(dir: string, items: readonly FineTuneItem[]) {
  const model = await loadModel(dir, 1);
  try {
    const out = [];
    for (const item of items) {
      const loaded = await loadItem(item);
      const answer = await segment(model, loaded.image, loaded.text, loaded.sourceMask, {
        views: TEST_TIME_VIEWS.slice(0, 1),
      });
      out.push({ mask: answer.mask, dice: diceOf(overlap(answer.mask.data, loaded.sourceMask.data)) });
    }
    return out;
  } finally {
    await releaseModel(model);
  }
}

describe('runFineTune', () => {
  it('trains all weights under the L2 guard, keeps the best epoch, exports a loadable model and reports progress', async () => {
    const { modelDir, items } = await ready;
    const events: FineTuneProgress[] = [];
    const outDir = join(root, 'out-a');
    const r = await runFineTune(
      { modelDir, train: items, heldOut: items.slice(0, 3), settings: { ...settings, guard: 'l2' }, outDir },
      { onProgress: (p) => events.push(p) },
    );
    expect(r.epochs.map((e) => e.epoch)).toEqual([0, 1, 2]);
    // Held-out = trained images here, so a few steps at a high rate must lower their loss.
    expect(r.bestEpoch).toBeGreaterThan(0);
    expect(r.epochs[r.bestEpoch]!.heldOutLoss).toBeLessThan(r.epochs[0]!.heldOutLoss);
    const train = events.filter((e) => e.phase === 'train');
    expect(train).toHaveLength(4);
    expect(train.at(-1)).toMatchObject({ step: 4, steps: 4, etaSeconds: 0 });
    expect(events.filter((e) => e.phase === 'before')).toHaveLength(3);
    expect(r.cases.map((c) => c.text)).toEqual(['left lung', 'left lung', 'left lung']);
    // Each held-out case keeps its answers before and after, small, for the panel to draw side by side.
    const pixels = FINETUNE_THUMB * FINETUNE_THUMB;
    const small = (b64: string) => Array.from(unpackBits(Buffer.from(b64, 'base64'), pixels));
    for (const [dir, side] of [
      [modelDir, 'before'],
      [outDir, 'after'],
    ] as const) {
      const expected = await answers(dir, items.slice(0, 3));
      expect(r.cases.map((c) => c[side])).toEqual(expected.map((a) => a.dice));
      expect(r.cases.map((c) => small(c[`${side}Mask`]))).toEqual(
        expected.map((a) => Array.from(resizeNearest(a.mask, FINETUNE_THUMB, FINETUNE_THUMB).data)),
      );
    }
    // HET memory: every trained item has its remembered errors, saved for the next round.
    expect(Object.keys(r.hetMemory).sort()).toEqual(items.map((i) => i.id).sort());
    const after = await modelWeights(outDir);
    const before = await modelWeights(modelDir);
    expect(after.params['layer0.mlp.up.w']).not.toEqual(before.params['layer0.mlp.up.w']);
    // All weights train under the L2 guard, the embeddings too.
    expect(after.params['embed.tokens']).not.toEqual(before.params['embed.tokens']);
    expect(after.config).toEqual(before.config);
  }, 60_000);

  it('carries HET memory into the next round, and last-blocks leaves the early weights as they were', async () => {
    const { modelDir, items } = await ready;
    const one = { ...settings, epochs: 1 };
    const first = await runFineTune({
      modelDir,
      train: items,
      heldOut: items.slice(0, 3),
      settings: one,
      outDir: join(root, 'r1'),
    });
    const firstLoss = async (hetMemory?: typeof first.hetMemory) => {
      let loss = Number.NaN;
      await runFineTune(
        {
          modelDir,
          train: items,
          heldOut: items.slice(0, 3),
          settings: one,
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
    await runFineTune({
      modelDir,
      train: items,
      heldOut: items,
      settings: { ...settings, guard: 'last-blocks', l2: 0 },
      outDir,
    });
    const [a, b] = await Promise.all([modelWeights(modelDir), modelWeights(outDir)]);
    expect(b.params['embed.tokens']).toEqual(a.params['embed.tokens']);
    expect(b.params['final.norm.scale']).not.toEqual(a.params['final.norm.scale']);
  }, 120_000);

  it('stops at once when cancelled and writes nothing', async () => {
    const { modelDir, items } = await ready;
    const outDir = join(root, 'cancelled');
    let steps = 0;
    await expect(
      runFineTune(
        { modelDir, train: items, heldOut: items.slice(0, 3), settings, outDir },
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

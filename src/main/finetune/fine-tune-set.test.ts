import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  casesForMeaningfulHeldOut,
  HELD_OUT_MIN,
  MEANINGFUL_HELD_OUT,
  MIN_CASES,
  MIN_TRAIN_CASES,
  splitSizes,
} from '../../shared/finetune-split';
import { createMask } from '../../shared/labelmap/mask';
import { ImageLibrary } from '../dicom/library';
import { SAMPLE_SIZE } from '../imaging/model-input';
import { Workspace } from '../store/workspace';
import { sharedPath } from '../testing/shared-data';
import { chosenEntries, splitByCase, workspaceSet } from './fine-tune-set';
import { loadItem } from './items';
import { FIXTURE_SIZE, writeFineTuneWorkspace } from './workspace.fixture';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'nextmask-ftset-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('workspaceSet', () => {
  it('takes corrected AI segments, skips uncorrected ones, and hand-drawn prompted ones only when asked', async () => {
    const dir = tempDir();
    const ws = await writeFineTuneWorkspace(dir, 5);
    const set = await workspaceSet(ws);
    expect(set.map((e) => e.item.caseId)).toEqual([0, 1, 2, 3, 4].map((i) => join(dir, `film-${i}.png`)));
    expect(set.every((e) => e.source === 'correction' && e.item.prompt === 'left lung')).toBe(true);
    // Proposal: 10x10 at (2,2); correction: 12x12 at (4,3) → overlap 8x9.
    expect(set[0]?.proposalDice).toBeCloseTo((2 * 72) / (100 + 144), 6);
    const withManual = await workspaceSet(ws, { includeManual: true });
    const manual = withManual.filter((e) => e.source === 'manual');
    expect(manual.map((e) => [e.item.prompt, e.proposalDice])).toEqual([['right lung', null]]);
    ws.close();
  });

  it('keeps the box the clinician drew for the answer with its frame', async () => {
    const ws = await writeFineTuneWorkspace(tempDir(), 2);
    const [first] = await workspaceSet(ws);
    const key = first!.studyKey;
    const box = { x0: 3, y0: 2, x1: 18, y1: 17 };
    ws.saveSegments(
      key,
      ws
        .loadSegments(key)
        .map((s) => ({ ...s, pointing: { frame: 0, box, clicks: [{ x: 8.5, y: 8.5, positive: true }] } })),
    );
    const set = await workspaceSet(ws);
    ws.close();
    expect(set.map((e) => e.item.box)).toEqual([box, undefined]);
    expect((await loadItem(set[0]!.item)).box).toEqual(box);
  });

  it('loads an item as the segmenter would see it, with the final mask as target', async () => {
    const ws = await writeFineTuneWorkspace(tempDir(), 4);
    const [entry] = await workspaceSet(ws);
    ws.close();
    const loaded = await loadItem(entry!.item);
    expect(loaded.image.width).toBe(SAMPLE_SIZE);
    expect(loaded.sourceMask.width).toBe(FIXTURE_SIZE.width);
    const fg = loaded.mask.data.reduce((a, b) => a + b, 0);
    // 144 of 1280 source pixels, brought to 256x256.
    expect(fg / loaded.mask.data.length).toBeCloseTo(144 / 1280, 2);
    const augmented = await loadItem(entry!.item, 3);
    expect(augmented.image.data).not.toEqual(loaded.image.data);
    expect(await loadItem(entry!.item, 3)).toEqual(augmented);
  });
});

describe('workspaceSet on a DICOM series', () => {
  it('takes the corrected frame of a series of single-frame files from its own file', async () => {
    const library = new ImageLibrary();
    await library.open([sharedPath('dicom', 'ct-3slice-with-seg')]);
    const series = library.list().find((s) => s.kind === 'image' && s.frameCount === 3)!;
    const paths: string[] = [];
    for (let i = 0; i < 3; i++) paths.push((await library.frame(series.id, i)).info.path);
    await library.close();
    const ws = new Workspace(tempDir());
    const key = series.seriesInstanceUid;
    const { columns: width, rows: height } = series;
    ws.putStudy({ key, sourcePath: paths[0]!, seriesUid: key, width, height, frameCount: 3 });
    const empty = () => [0, 1, 2].map(() => createMask(width, height));
    ws.recordProposal(key, { segmentUid: 'ai', prompt: 'liver', algorithm: 'NTP-MRISeg', masks: empty() });
    const corrected = empty();
    corrected[1]!.data.fill(1, 100 * width, 120 * width);
    ws.saveSegments(key, [
      {
        id: 'ai',
        name: 'liver',
        color: [1, 2, 3],
        visible: true,
        locked: false,
        opacity: 0.5,
        outline: false,
        source: 'ai',
        algorithm: 'NTP-MRISeg',
        prompt: 'liver',
        masks: corrected,
      },
    ]);
    const set = await workspaceSet(ws);
    ws.close();
    expect(set.map((e) => [e.item.path, e.item.frame, e.item.prompt])).toEqual([[paths[1], 0, 'liver']]);
    expect(new Set(paths).size).toBe(3);
    const loaded = await loadItem(set[0]!.item);
    expect(loaded.sourceMask.data.reduce((a, b) => a + b, 0)).toBe(20 * width);
    expect(loaded.image.width).toBe(SAMPLE_SIZE);
  });
});

describe('splitByCase', () => {
  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ caseId: `case-${i}` }));

  it('holds out at least 3 cases and at least 20%, the same ones every time', () => {
    const small = splitByCase(items(8));
    expect(small.heldOut).toHaveLength(HELD_OUT_MIN);
    expect(small.train).toHaveLength(5);
    const big = splitByCase(items(40));
    expect(big.heldOut).toHaveLength(8);
    expect(splitByCase(items(40))).toEqual(big);
    // Adding cases keeps most of the earlier held-out choice.
    const bigger = splitByCase(items(41)).heldOut.map((i) => i.caseId);
    expect(big.heldOut.filter((i) => bigger.includes(i.caseId)).length).toBeGreaterThanOrEqual(7);
  });

  it('keeps every item of a case on one side', () => {
    const list = [...items(8), ...items(8)];
    const { train, heldOut } = splitByCase(list);
    const trainCases = new Set(train.map((i) => i.caseId));
    expect(heldOut.some((i) => trainCases.has(i.caseId))).toBe(false);
    expect(heldOut).toHaveLength(6);
  });

  it('says what to do when the set is empty or too small', () => {
    expect(() => splitByCase([])).toThrow('no corrected masks yet: correct an AI answer and save it first');
    expect(() => splitByCase(items(3))).toThrow(/only 3 corrected cases.*correct and save at least 4 more$/);
    expect(() => splitByCase(items(MIN_CASES - 1))).toThrow(/correct and save at least 1 more$/);
  });
});

describe('chosenEntries', () => {
  it('keeps only the ticked items, in the set order, and refuses ids no longer in the set', async () => {
    const ws = await writeFineTuneWorkspace(tempDir(), 5);
    const set = await workspaceSet(ws);
    ws.close();
    const ids = set.map((e) => e.item.id);
    const ticked = [ids[3], ids[0], ids[4]] as string[];
    expect(chosenEntries(set, ticked).map((e) => e.item.id)).toEqual([ids[0], ids[3], ids[4]]);
    expect(() => chosenEntries(set, [...ticked, 'gone#ai-1@0'])).toThrow(
      '1 of the ticked corrections is no longer in the workspace (deleted or no longer corrected): reload the set and tick again',
    );
  });
});

describe('the split sizes the panel reads', () => {
  it('agree with splitByCase, and the meaningful held-out count is the first a sign test can pass at 5 %', () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ caseId: `case-${i}` }));
    for (const n of [MIN_CASES, 8, 12, 40]) {
      const split = splitByCase(items(n));
      expect(splitSizes(n)).toEqual({ heldOut: split.heldOut.length, train: split.train.length });
    }
    expect(() => splitByCase(items(MIN_CASES - 1))).toThrow(
      `needs at least ${MIN_TRAIN_CASES} more to train on (some of them held back to choose the epoch)`,
    );
    const p = (n: number) => 2 / 2 ** n;
    expect(p(MEANINGFUL_HELD_OUT)).toBeLessThan(0.05);
    expect(p(MEANINGFUL_HELD_OUT - 1)).toBeGreaterThanOrEqual(0.05);
    const cases = casesForMeaningfulHeldOut();
    expect(splitSizes(cases).heldOut).toBe(MEANINGFUL_HELD_OUT);
    expect(splitSizes(cases - 1).heldOut).toBeLessThan(MEANINGFUL_HELD_OUT);
  });
});

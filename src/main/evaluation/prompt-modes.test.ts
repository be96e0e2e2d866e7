import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel, releaseModel, type SegmentationModel } from '../segmenter/runtime/model-files';
import { TINY_REGION, writeRandomModel } from '../testing/tiny-model';
import { evaluateModel } from './evaluate';
import { parsePromptMode, simulatedBox } from './prompt-modes';

describe('eval --prompt-mode', () => {
  it('reads the four modes and refuses anything else', () => {
    expect(parsePromptMode('text')).toEqual({ kind: 'text' });
    expect(parsePromptMode('box')).toEqual({ kind: 'box', withText: false });
    expect(parsePromptMode('text+box')).toEqual({ kind: 'box', withText: true });
    expect(parsePromptMode('clicks:3')).toEqual({ kind: 'clicks', clicks: 3 });
    for (const bad of ['', 'clicks', 'clicks:0', 'clicks:-1', 'clicks:1.5', 'box+text', 'BOX'])
      expect(() => parsePromptMode(bad), bad).toThrow(/--prompt-mode must be/);
  });

  it('draws the same box for the same image and seed, around the target', () => {
    const target = { width: 100, height: 80, data: new Uint8Array(100 * 80) };
    for (let y = 20; y < 40; y++) for (let x = 30; x < 70; x++) target.data[y * 100 + x] = 1;
    const a = simulatedBox(target, 5);
    expect(a).toEqual(simulatedBox(target, 5));
    expect(a).not.toEqual(simulatedBox(target, 6));
    expect(Math.abs((a?.x0 ?? 0) - 30)).toBeLessThanOrEqual(0.1 * 40 + 0.1 * 20 + 1e-9);
    expect(simulatedBox({ ...target, data: new Uint8Array(8000) }, 5)).toBeNull();
  });
});

describe('eval with a simulated clinician (tiny model, two val films)', () => {
  let dir: string;
  let model: SegmentationModel;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nextmask-prompt-modes-'));
    await writeRandomModel(dir, 2, 'expected', TINY_REGION);
    model = await loadModel(join(dir, 'model'), 1);
  }, 60_000);
  afterAll(async () => {
    await releaseModel(model);
    await rm(dir, { recursive: true, force: true });
  });
  const data = join(import.meta.dirname, '../../../../shared/data');
  const options = { perGroup: 2, groups: ['btxrd' as const] };

  it('scores clicks:N after the N-th click and lists every click', async () => {
    const summary = await evaluateModel(model, data, 'val', { ...options, promptMode: { kind: 'clicks', clicks: 2 } });
    const btxrd = summary.btxrd;
    expect(btxrd?.n).toBe(2);
    expect(btxrd?.diceByClick).toHaveLength(2);
    expect(btxrd?.diceByClick?.[1]).toBeCloseTo(btxrd?.dice as number, 9);
  }, 120_000);

  it('scores a box with and without the text, and text alone without diceByClick', async () => {
    const box = await evaluateModel(model, data, 'val', { ...options, promptMode: { kind: 'box', withText: false } });
    const text = await evaluateModel(model, data, 'val', options);
    expect(box.btxrd?.n).toBe(2);
    expect(text.btxrd?.diceByClick).toBeUndefined();
    expect(box.btxrd?.dice).not.toBe(text.btxrd?.dice);
  }, 120_000);
});

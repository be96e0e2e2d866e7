// End to end on real data, kept small: train a tiny model for a few steps from configs/tiny.json's
// settings, resume it, export it, and score it with the eval path. Proves the wiring, not accuracy.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { evalCommand } from '../../cli/eval';
import { exportCommand } from '../../cli/export';
import { REPO_ROOT, sharedPath } from '../testing/shared-data';
import { writeTinyTokenizers } from '../testing/tiny-model';
import { learningRate, parseTrainConfig } from './train-config';
import { RUN_FILES, train } from './train-loop';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

async function tinyConfig() {
  const cfg = parseTrainConfig(await readFile(join(REPO_ROOT, 'configs/tiny.json'), 'utf8'));
  const out = await mkdtemp(join(tmpdir(), 'nextmask-train-'));
  dirs.push(out);
  cfg.data = sharedPath('data');
  cfg.tokenizers = join(out, 'tokenizers');
  await writeTinyTokenizers(cfg.tokenizers);
  cfg.out = join(out, 'run');
  cfg.architecture = { ...cfg.architecture, width: 32, heads: 2, layers: 1, maxText: 24 };
  cfg.train = { ...cfg.train, batch: 2, maxSamples: 8, checkpointEvery: 1, valPerGroup: 1, threads: 1 };
  cfg.losses.het.top = 4;
  cfg.train.maskInputNoise = 0.1;
  cfg.train.maskInputBlank = 0.5;
  return cfg;
}

describe('training pipeline', () => {
  it('trains, logs, checkpoints, resumes where it stopped, exports a model the eval path scores', async () => {
    const cfg = await tinyConfig();
    // --stop-at pauses at step 2 of a 3-step schedule; the resumed run finishes it.
    cfg.train.maxSteps = 3;
    const first = await train(cfg, { stopAt: 2 });
    expect(first.steps).toBe(2);
    const resumed = await train(cfg);
    expect(resumed.steps).toBe(3);

    const log = (await readFile(join(cfg.out, RUN_FILES.log), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const steps = log.filter((e) => e.type === 'step');
    expect(steps.map((e) => e.step)).toEqual([1, 2, 3]);
    for (const e of steps) expect(Number.isFinite(e.loss) && e.loss > 0).toBe(true);
    expect(log.filter((e) => e.type === 'start').map((e) => e.resumedAt)).toEqual([null, 2]);
    // The learning rates are those of one uninterrupted 3-step schedule.
    expect(steps.map((e) => e.lr)).toEqual([0, 1, 2].map((s) => learningRate(cfg.train, s, 3)));
    expect(Object.keys(steps[0])).toEqual(expect.arrayContaining(['ntp', 'tcl', 'het', 'accuracy', 'lr']));

    // `nextmask export` turns the final checkpoint into the same model training exported.
    const exported = join(cfg.out, 'exported');
    const lines: string[] = [];
    const lastLine = () => JSON.parse(lines.join('').trim().split('\n').at(-1) as string);
    type Scores = { n: number; dice: number };
    let summary: { msPerImage: number; infection?: Scores; lung?: Scores; btxrd?: Scores };
    let btxrdOnly: typeof summary;
    let images: { group: string; id: string; dice: number; target: number; forwardPasses: number }[];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      lines.push(String(chunk));
      return true;
    });
    try {
      expect(await exportCommand([cfg.out, '--out', exported])).toBe(0);
      for (const f of ['prefill.onnx', 'decode.onnx']) {
        expect((await readFile(join(exported, f))).equals(await readFile(join(resumed.modelDir, f)))).toBe(true);
      }
      lines.length = 0;
      // The eval command's last stdout line is the JSON summary.
      const args = ['--data', cfg.data, '--split', cfg.valSplit, '--model', first.modelDir, '--per-group', '1'];
      expect(await evalCommand([...args, '--threads', '1'])).toBe(0);
      summary = lastLine();
      lines.length = 0;
      // One group, with each image's score written beside the summary.
      const perImage = join(cfg.out, 'per-image.jsonl');
      expect(await evalCommand([...args, '--threads', '1', '--groups', 'btxrd', '--per-image', perImage])).toBe(0);
      btxrdOnly = lastLine();
      images = (await readFile(perImage, 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    } finally {
      spy.mockRestore();
    }
    expect(Object.keys(summary).sort()).toEqual(['btxrd', 'infection', 'lung', 'msPerImage']);
    for (const group of ['infection', 'lung', 'btxrd'] as const) {
      expect(Object.keys(summary[group] ?? {}).sort()).toEqual(['dice', 'dicePooled', 'iou', 'iouPooled', 'n']);
      expect(summary[group]?.n).toBe(1);
      expect(summary[group]?.dice).toBeGreaterThanOrEqual(0);
    }
    expect(summary.msPerImage).toBeGreaterThan(0);
    expect(Object.keys(btxrdOnly).sort()).toEqual(['btxrd', 'msPerImage']);
    expect(images).toHaveLength(1);
    expect(images[0]?.group).toBe('btxrd');
    expect(images[0]?.id).toMatch(/btxrd/i);
    expect(images[0]?.dice).toBe(btxrdOnly.btxrd?.dice);
    expect(images[0]?.target).toBeGreaterThan(0);
    expect(images[0]?.forwardPasses).toBeGreaterThan(0);
  }, 180_000);
});

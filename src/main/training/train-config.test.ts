import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../testing/shared-data';
import { learningRate, parseTrainConfig, plannedSteps } from './train-config';

describe('training config', () => {
  it('plans maxSteps, capped at the configured epochs, and says when it was capped', () => {
    const t = (maxSteps: number) => ({ epochs: 3, maxSteps }) as Parameters<typeof plannedSteps>[0];
    expect(plannedSteps(t(0), 100)).toEqual({ total: 300, capped: false });
    expect(plannedSteps(t(250), 100)).toEqual({ total: 250, capped: false });
    expect(plannedSteps(t(300), 100)).toEqual({ total: 300, capped: false });
    expect(plannedSteps(t(420), 100)).toEqual({ total: 300, capped: true });
  });

  it('parses every shipped config', async () => {
    const names = (await readdir(join(REPO_ROOT, 'configs'))).filter((f) => f.endsWith('.json'));
    expect(names).toContain('base.json');
    for (const name of names) {
      const cfg = parseTrainConfig(await readFile(join(REPO_ROOT, 'configs', name), 'utf8'), name);
      expect(cfg.losses.tcl.negatives).toBe(5);
    }
  });

  it('names the field that is wrong', () => {
    expect(() => parseTrainConfig('{')).toThrow(/not JSON/);
    const ok = {
      data: 'd',
      tokenizers: 't',
      out: 'o',
      seed: 1,
      split: 'train',
      valSplit: 'val',
      architecture: { width: 8, heads: 2, layers: 1, predictHeads: 2, maxText: 4 },
      train: {
        batch: 1,
        epochs: 1,
        threads: 1,
        lr: 1e-3,
        warmupSteps: 0,
        maxSamples: 0,
        maxSteps: 0,
        valEvery: 0,
        valPerGroup: 0,
        checkpointEvery: 0,
      },
    };
    expect(parseTrainConfig(JSON.stringify(ok)).losses.het.top).toBe(16);
    expect(() => parseTrainConfig(JSON.stringify({ ...ok, seed: 'x' }))).toThrow(/"seed"/);
    expect(() => parseTrainConfig(JSON.stringify({ ...ok, architecture: { ...ok.architecture, width: 0 } }))).toThrow(
      /architecture.width/,
    );
    expect(() => parseTrainConfig(JSON.stringify({ ...ok, losses: { tcl: { temperature: 0 } } }))).toThrow(
      /temperature/,
    );
    expect(() =>
      parseTrainConfig(JSON.stringify({ ...ok, train: { ...ok.train, groupRepeat: { btxrd: 0 } } })),
    ).toThrow(/"train.groupRepeat": repeat for btxrd/);
  });

  it('warms up linearly then decays by cosine to 10%', () => {
    const t = { lr: 1, warmupSteps: 4 } as Parameters<typeof learningRate>[0];
    expect(learningRate(t, 0, 104)).toBeCloseTo(0.25);
    expect(learningRate(t, 3, 104)).toBeCloseTo(1);
    expect(learningRate(t, 54, 104)).toBeCloseTo(0.55);
    expect(learningRate(t, 104, 104)).toBeCloseTo(0.1);
  });
});

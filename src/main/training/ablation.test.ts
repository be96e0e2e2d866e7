import { describe, expect, it } from 'vitest';
import { ABLATION_VARIANTS, ablationConfig } from './ablation';
import { parseTrainConfig } from './train-config';

const base = parseTrainConfig(
  JSON.stringify({
    data: 'd',
    tokenizers: 't',
    out: 'checkpoints/ablation',
    seed: 1,
    split: 'train',
    valSplit: 'val',
    architecture: { width: 8, heads: 2, layers: 1, predictHeads: 4, maxText: 4 },
    losses: { tcl: { enabled: true, weight: 0.3, temperature: 0.2, negatives: 5 } },
    train: {
      batch: 2,
      epochs: 1,
      lr: 0.001,
      warmupSteps: 0,
      maxSamples: 0,
      maxSteps: 10,
      valEvery: 0,
      valPerGroup: 0,
      checkpointEvery: 0,
      threads: 1,
    },
  }),
);

describe('ablationConfig', () => {
  it('switches exactly the variant losses on and keeps every other setting', () => {
    const on = (v: (typeof ABLATION_VARIANTS)[number]) => {
      const c = ablationConfig(base, v);
      return [c.losses.nktp.enabled, c.losses.tcl.enabled, c.losses.het.enabled];
    };
    expect(on('ntp')).toEqual([false, false, false]);
    expect(on('ntp+nktp')).toEqual([true, false, false]);
    expect(on('ntp+tcl')).toEqual([false, true, false]);
    expect(on('ntp+het')).toEqual([false, false, true]);
    expect(on('all')).toEqual([true, true, true]);
    const c = ablationConfig(base, 'ntp+tcl');
    expect(c.losses.tcl).toEqual({ enabled: true, weight: 0.3, temperature: 0.2, negatives: 5 });
    expect(c.train).toEqual(base.train);
    expect(c.architecture).toEqual(base.architecture);
  });

  it('gives every variant its own run folder', () => {
    const outs = ABLATION_VARIANTS.map((v) => ablationConfig(base, v).out);
    expect(new Set(outs).size).toBe(outs.length);
    expect(outs).toContain('checkpoints/ablation/ntp-nktp');
  });
});

// Training configs (configs/*.json): where data and tokenizers are, the architecture, the losses and
// the schedule. Parsed strictly: a missing or mistyped field is an error that names it.

import type { LungTarget } from '../data/lung-prompts';
import { REGION_KINDS, type RegionMix } from '../data/region-items';
import { type Group, type GroupRepeat, repeatGroups } from '../data/samples';
import type { AdamWConfig } from '../engine/adamw';
import { DEFAULT_LOSSES, type LossConfig } from '../model/config';
import type { DecodeRule } from '../model-files/model-folder';

export interface TrainConfig {
  data: string;
  tokenizers: string;
  /** Run folder: checkpoint, HET memory, log, exported model. */
  out: string;
  seed: number;
  split: string;
  valSplit: string;
  architecture: {
    width: number;
    heads: number;
    layers: number;
    mlpRatio?: number;
    predictHeads: number;
    maxText: number;
    /** The region part: bins per coordinate axis and clicks held (src/shared/tokens.ts); absent: none. */
    regionBins?: number;
    regionClicks?: number;
  };
  losses: LossConfig;
  train: {
    batch: number;
    epochs: number;
    lr: number;
    /** Linear warm-up steps, then cosine decay to 10% of lr at the last step. */
    warmupSteps: number;
    /** Train on at most this many samples (seeded choice; 0 = all). */
    maxSamples: number;
    /** Stop after this many steps in total (0 = run all epochs). */
    maxSteps: number;
    groups?: Group[];
    /** Oversampling per group, e.g. { "btxrd": 4 } (see repeatGroups; default: each sample once per epoch). */
    groupRepeat?: GroupRepeat;
    /** Which lung prompts to train on (default: left, right and both). */
    lungTargets?: LungTarget[];
    /** Val evaluation every N steps and at the end (0 = only at the end); per group at most valPerGroup images (0 = all). */
    valEvery: number;
    valPerGroup: number;
    checkpointEvery: number;
    threads: number;
    optimizer?: Partial<AdamWConfig>;
    /** Starting embeddings: 'codewords' (default; see codeword-init.ts) or plain seeded 'random'. */
    init?: 'codewords' | 'random';
    /** Fraction of input mask tokens replaced by random codes in training (see input-noise.ts; default 0). */
    maskInputNoise?: number;
    /** Per-sample blanking of input mask tokens to background, rate ~ U(0, this) (input-noise.ts; default 0). */
    maskInputBlank?: number;
    /** ORT thread spinning (default on); off when the cores are shared with other work. */
    spin?: boolean;
    /** Decoding rule of the val evaluations during training (default argmax; see segment.ts). */
    valRule?: DecodeRule;
    /** A model folder whose weights a fresh run starts from, extended to a region part (extend-weights.ts). */
    initFrom?: string;
    /** With a region part: how often each kind of item is drawn (data/region-items.ts). */
    region?: RegionMix;
  };
}

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`config: ${what}`);
}

export function parseTrainConfig(json: string, source = 'config'): TrainConfig {
  let raw: Partial<TrainConfig>;
  try {
    raw = JSON.parse(json) as Partial<TrainConfig>;
  } catch (err) {
    throw new Error(`${source}: not JSON (${(err as Error).message})`);
  }
  for (const k of ['data', 'tokenizers', 'out', 'split', 'valSplit'] as const) {
    check(typeof raw[k] === 'string' && raw[k] !== '', `"${k}" must be a non-empty string`);
  }
  check(Number.isInteger(raw.seed), '"seed" must be an integer');
  const a = raw.architecture;
  check(typeof a === 'object' && a !== null, '"architecture" is required');
  for (const k of ['width', 'heads', 'layers', 'predictHeads', 'maxText'] as const) {
    check(Number.isInteger(a?.[k]) && (a?.[k] as number) > 0, `"architecture.${k}" must be a positive integer`);
  }
  for (const k of ['regionBins', 'regionClicks'] as const) {
    check(
      a?.[k] === undefined || (Number.isInteger(a[k]) && (a[k] as number) >= 0),
      `"architecture.${k}" must be an integer ≥ 0`,
    );
  }
  const t = raw.train;
  check(typeof t === 'object' && t !== null, '"train" is required');
  check(
    t?.initFrom === undefined || (typeof t.initFrom === 'string' && t.initFrom !== ''),
    '"train.initFrom" must be a model folder',
  );
  if (t?.region !== undefined) {
    check((a?.regionBins ?? 0) > 0, '"train.region" needs "architecture.regionBins"');
    for (const k of REGION_KINDS)
      check(typeof t.region[k] === 'number' && t.region[k] >= 0, `"train.region.${k}" must be a number ≥ 0`);
    check(
      REGION_KINDS.some((k) => (t.region?.[k] as number) > 0),
      '"train.region" must draw some kind',
    );
  }
  for (const k of ['batch', 'epochs', 'threads'] as const) {
    check(Number.isInteger(t?.[k]) && (t?.[k] as number) > 0, `"train.${k}" must be a positive integer`);
  }
  for (const k of ['warmupSteps', 'maxSamples', 'maxSteps', 'valEvery', 'valPerGroup', 'checkpointEvery'] as const) {
    check(Number.isInteger(t?.[k]) && (t?.[k] as number) >= 0, `"train.${k}" must be an integer ≥ 0`);
  }
  check(typeof t?.lr === 'number' && t.lr > 0, '"train.lr" must be a number > 0');
  check(
    t?.maskInputNoise === undefined || (t.maskInputNoise >= 0 && t.maskInputNoise < 1),
    '"train.maskInputNoise" must be in [0, 1)',
  );
  check(
    t?.valRule === undefined || t.valRule === 'argmax' || t.valRule === 'expected',
    '"train.valRule" must be "argmax" or "expected"',
  );
  check(
    t?.init === undefined || t.init === 'codewords' || t.init === 'random',
    '"train.init" must be "codewords" or "random"',
  );
  if (t?.groupRepeat !== undefined) {
    check(typeof t.groupRepeat === 'object' && t.groupRepeat !== null, '"train.groupRepeat" must be an object');
    try {
      repeatGroups([], t.groupRepeat);
    } catch (err) {
      check(false, `"train.groupRepeat": ${(err as Error).message}`);
    }
  }
  const losses: LossConfig = {
    nktp: { ...DEFAULT_LOSSES.nktp, ...raw.losses?.nktp },
    tcl: { ...DEFAULT_LOSSES.tcl, ...raw.losses?.tcl },
    het: { ...DEFAULT_LOSSES.het, ...raw.losses?.het },
  };
  check(losses.tcl.temperature > 0, '"losses.tcl.temperature" must be > 0');
  check(Number.isInteger(losses.tcl.negatives) && losses.tcl.negatives > 0, '"losses.tcl.negatives" must be ≥ 1');
  check(Number.isInteger(losses.het.top) && losses.het.top > 0, '"losses.het.top" must be ≥ 1');
  return { ...(raw as TrainConfig), losses };
}

/**
 * The run's length in steps: `maxSteps` when set, but never past `epochs` full epochs. `capped` says the
 * epochs cut a longer `maxSteps` short, which a resumed run asked to go further must be told, not left to find.
 */
export function plannedSteps(cfg: TrainConfig['train'], perEpoch: number): { total: number; capped: boolean } {
  const all = perEpoch * cfg.epochs;
  if (cfg.maxSteps <= 0) return { total: all, capped: false };
  return { total: Math.min(cfg.maxSteps, all), capped: cfg.maxSteps > all };
}

/** Learning rate at step s (0-based) of `total`: linear warm-up, then cosine to 10% of the peak. */
export function learningRate(cfg: TrainConfig['train'], step: number, total: number): number {
  if (step < cfg.warmupSteps) return (cfg.lr * (step + 1)) / cfg.warmupSteps;
  const progress = Math.min(1, (step - cfg.warmupSteps) / Math.max(1, total - cfg.warmupSteps));
  return cfg.lr * (0.1 + 0.45 * (1 + Math.cos(Math.PI * progress)));
}

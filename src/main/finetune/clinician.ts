// The simulated clinician: ground-truth masks of a data folder (laid out like ../shared/data) stand
// in for corrections. N cases of one kind are the round's training cases (it holds some of them back
// to choose its epoch), M other cases of the same kind are held out, chosen by a seeded shuffle so a
// run can be repeated.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalLungPrompt } from '../data/lung-prompts';
import { createRng, shuffled } from '../data/rng';
import { GROUPS, type Group, listSamples, loadSample, type SampleSource } from '../data/samples';
import { evaluateModel } from '../evaluation/evaluate';
import { TEST_TIME_VIEWS } from '../segmenter/pipeline/test-time-views';
import { loadModel, releaseModel } from '../segmenter/runtime/model-files';
import type { EpochRecord } from './epochs';
import type { Split } from './fine-tune-set';
import type { FineTuneItem } from './items';
import type { FineTuneProgress, FineTuneSettings } from './job';
import { runInWorker } from './job-client';
import type { Verdict } from './round-choice';

export interface ClinicianOptions {
  data: string;
  split: string;
  group: Group;
  /** Only cases whose prompt contains this text (case-insensitive), e.g. a lesion type. */
  filter?: string;
  trainCases: number;
  evalCases: number;
  seed: number;
}

async function promptOf(source: SampleSource): Promise<string> {
  if (source.group === 'btxrd') return source.description;
  if (source.group === 'lung') return canonicalLungPrompt(source.target);
  return (await loadSample(source)).text;
}

export async function clinicianSet(o: ClinicianOptions): Promise<Split<FineTuneItem>> {
  if (!GROUPS.includes(o.group)) throw new Error(`--group must be one of ${GROUPS.join(', ')}, got "${o.group}"`);
  for (const [flag, n] of [
    ['--train-cases', o.trainCases],
    ['--eval-cases', o.evalCases],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a whole number ≥ 1, got ${n}`);
  }
  let sources = await listSamples(o.data, o.split, { groups: [o.group] });
  if (sources.length === 0) throw new Error(`${o.data} has no ${o.group} cases in split "${o.split}"`);
  if (o.filter) {
    const wanted = o.filter.toLowerCase();
    const kept: SampleSource[] = [];
    for (const s of sources) if ((await promptOf(s)).toLowerCase().includes(wanted)) kept.push(s);
    sources = kept;
  }
  const need = o.trainCases + o.evalCases;
  if (sources.length < need) {
    throw new Error(
      `${o.data} has ${sources.length} ${o.group} cases in "${o.split}"${o.filter ? ` matching "${o.filter}"` : ''}, fewer than the ${need} asked for`,
    );
  }
  const chosen = shuffled(createRng(o.seed), sources).slice(0, need);
  const items = chosen.map((source): FineTuneItem => ({ kind: 'sample', id: source.id, caseId: source.id, source }));
  return { train: items.slice(0, o.trainCases), heldOut: items.slice(o.trainCases) };
}

/** The simulated clinician's result, as `nextmask finetune --data` prints it (last line). */
export interface ClinicianReport {
  /** Training cases, the held-back ones among them. */
  cases: number;
  heldBackCases: number;
  evalCases: number;
  secondsPerEpoch: number;
  totalSeconds: number;
  diceBefore: number;
  diceAfter: number;
  /** Mean change of the other groups' Dice (fixed val samples), when they were scored. */
  otherGroupsDiceChange?: number;
  otherGroups?: Partial<Record<Group, { before: number; after: number; n: number }>>;
  epochs: EpochRecord[];
  bestEpoch: number;
  /** The lesion cut the result answers with, and the verdict on it against the starting model. */
  lesionCut: number;
  verdict: Verdict;
  settings: FineTuneSettings;
}

/** Per-image Dice of `perGroup` evenly spread cases of each other group (the forgetting check). */
async function groupDice(
  modelDir: string,
  data: string,
  split: string,
  groups: readonly Group[],
  perGroup: number,
  views: number,
  threads: number,
): Promise<Partial<Record<Group, { dice: number; n: number }>>> {
  const model = await loadModel(modelDir, threads);
  try {
    const summary = await evaluateModel(model, data, split, {
      groups,
      perGroup,
      views: TEST_TIME_VIEWS.slice(0, views),
    });
    return Object.fromEntries(groups.map((g) => [g, { dice: summary[g]?.dice ?? 0, n: summary[g]?.n ?? 0 }]));
  } finally {
    await releaseModel(model);
  }
}

export async function simulateClinician(
  o: ClinicianOptions & {
    modelDir: string;
    settings: FineTuneSettings;
    /** Score this many val cases of each other group before and after (0: skip). */
    otherPerGroup: number;
    otherSplit: string;
    /** Keep the fine-tuned model here (default: a temporary folder, removed). */
    outDir?: string;
    onProgress?: (p: FineTuneProgress) => void;
  },
): Promise<ClinicianReport> {
  const started = performance.now();
  const { train, heldOut } = await clinicianSet(o);
  const outDir = o.outDir ?? (await mkdtemp(join(tmpdir(), 'nextmask-clinician-')));
  try {
    const others = GROUPS.filter((g) => g !== o.group);
    const threads = o.settings.threads ?? 1;
    type Scores = Partial<Record<Group, { dice: number; n: number }>>;
    const other = (dir: string): Promise<Scores> =>
      o.otherPerGroup > 0
        ? groupDice(dir, o.data, o.otherSplit, others, o.otherPerGroup, o.settings.views, threads)
        : Promise.resolve({});
    const otherBefore = await other(o.modelDir);
    const result = await runInWorker(
      { modelDir: o.modelDir, train, heldOut, settings: o.settings, outDir },
      o.onProgress ? { onProgress: o.onProgress } : {},
    );
    const otherAfter = await other(outDir);
    const changes = Object.keys(otherBefore).map(
      (g) => (otherAfter[g as Group]?.dice ?? 0) - (otherBefore[g as Group]?.dice ?? 0),
    );
    return {
      cases: train.length,
      heldBackCases: result.heldBack.length,
      evalCases: heldOut.length,
      secondsPerEpoch: result.secondsPerEpoch,
      totalSeconds: (performance.now() - started) / 1000,
      diceBefore: result.before,
      diceAfter: result.after,
      ...(changes.length
        ? {
            otherGroupsDiceChange: changes.reduce((a, b) => a + b, 0) / changes.length,
            otherGroups: Object.fromEntries(
              Object.keys(otherBefore).map((g) => [
                g,
                {
                  before: otherBefore[g as Group]?.dice ?? 0,
                  after: otherAfter[g as Group]?.dice ?? 0,
                  n: otherBefore[g as Group]?.n ?? 0,
                },
              ]),
            ),
          }
        : {}),
      epochs: result.epochs,
      bestEpoch: result.bestEpoch,
      lesionCut: result.lesionCut,
      verdict: result.verdict,
      settings: o.settings,
    };
  } finally {
    if (!o.outDir) await rm(outDir, { recursive: true, force: true });
  }
}

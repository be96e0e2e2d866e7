// What a user waits for: the default pipeline (segment() as the app and CLI call it, every test-time view
// and gate) from a decoded frame to the answer and to its first draft, with its val Dice against a recorded
// baseline; with a model that takes clicks, the time from a correction click to its mask; then, as a section, one view decoded three ways (full recompute, greedy over the KV cache,
// speculative NkTP). Writes its section of docs/BENCHMARKS.md; the last stdout line is the JSON summary.
// Run: npm run bench:segment -- [--model models/base] [--data ../shared/data] [--per-group 60]
//      [--region-model models/region] [--single-images 30] [--refine-images 30] [--recompute-images 0] [--threads 2] [--out docs/BENCHMARKS.md] [--note "…"]
//      [--baseline bench/segment-baseline.json] [--write-baseline]
// `--write-baseline` records this checkout's per-image Dice as the baseline later runs are compared with;
// the committed baseline is the pipeline with its test-time views decoded one after another.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { correctionClick } from '../src/main/data/correction-clicks';
import { GROUPS, listSamples, loadSample, type Sample } from '../src/main/data/samples';
import { spread } from '../src/main/evaluation/evaluate';
import {
  benchSamples,
  benchSummary,
  type ConfidencePoint,
  diceDelta,
  type ImageDice,
  type ModeRuns,
  type ModeStats,
  modeStats,
  reliabilityBins,
  reliabilitySvg,
  replaceSection,
  timeStats,
} from '../src/main/evaluation/segment-bench';
import { diceOf, overlap } from '../src/main/evaluation/segmentation';
import { modelInput, unitPlane } from '../src/main/imaging/model-input';
import { DEFAULT_REGION_MODEL_DIR } from '../src/main/model-files/model-folder';
import { LOW_CONFIDENCE } from '../src/main/segmenter/pipeline/answer-notices';
import { segmentPointed } from '../src/main/segmenter/pipeline/pointed';
import { MAX_DRAFT, type Segmentation, type SegmentOptions, segment } from '../src/main/segmenter/pipeline/segment';
import { IDENTITY_VIEW } from '../src/main/segmenter/pipeline/test-time-views';
import type { DecoderModels } from '../src/main/segmenter/runtime/decoder-session';
import { greedyDecode } from '../src/main/segmenter/runtime/decoding';
import { loadModel, releaseModel } from '../src/main/segmenter/runtime/model-files';
import { RecomputeDecoderSession } from '../src/main/segmenter/runtime/recompute-session';
import { machineLine, recordRun } from './results';

const HEADING = '## Segmenting: the default pipeline, and one view three ways (`npm run bench:segment`)';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/base' },
    'region-model': { type: 'string', default: DEFAULT_REGION_MODEL_DIR },
    data: { type: 'string', default: '../shared/data' },
    split: { type: 'string', default: 'val' },
    'per-group': { type: 'string', default: '60' },
    'single-images': { type: 'string', default: '30' },
    'refine-images': { type: 'string', default: '30' },
    'recompute-images': { type: 'string', default: '0' },
    threads: { type: 'string', default: '2' },
    out: { type: 'string', default: 'docs/BENCHMARKS.md' },
    note: { type: 'string' },
    baseline: { type: 'string', default: 'bench/segment-baseline.json' },
    'write-baseline': { type: 'boolean', default: false },
    reliability: { type: 'string', default: 'docs/confidence-reliability.svg' },
  },
});
const count = (name: string, value: string | undefined, min: number): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got ${value}`);
  return n;
};
const perGroup = count('per-group', values['per-group'], 1);
const singleCount = count('single-images', values['single-images'], 1);
const refineCount = count('refine-images', values['refine-images'], 1);
const recomputeCount = Math.min(singleCount, count('recompute-images', values['recompute-images'], 0));
const threads = count('threads', values.threads, 1);
const modelDir = resolve(values.model);
const baselinePath = resolve(values.baseline);

const model = await loadModel(modelDir, threads);
const modelFile = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as {
  training?: { steps?: number; random?: boolean };
};
const listed = await listSamples(resolve(values.data), values.split);
if (listed.length === 0) throw new Error(`${values.data} has no samples in split "${values.split}"`);
// Interleaved group by group, so load from other processes falls on every group alike.
const pipelineSources = benchSamples(spread(listed, perGroup), perGroup * GROUPS.length);
const singleSources = benchSamples(listed, singleCount);
const loadBefore = loadavg();

// --- The default pipeline, from a decoded frame (the film at its own size) ---
const pipeline = { ms: [] as number[], firstDraftMs: [] as number[], forwardPasses: [] as number[] };
const calibration: ConfidencePoint[] = [];
const dice: ImageDice = {};
{
  const warm = await loadSample(pipelineSources[0] as (typeof pipelineSources)[0]);
  await segment(model, modelInput(warm.film), warm.text, warm.sourceMask);
}
for (const [i, source] of pipelineSources.entries()) {
  const sample = await loadSample(source); // canonical text, no augmentation
  const started = performance.now();
  let firstDraft = Number.NaN;
  const result = await segment(model, modelInput(sample.film), sample.text, sample.sourceMask, {
    onDraft: () => {
      if (Number.isNaN(firstDraft)) firstDraft = performance.now() - started;
    },
  });
  const ms = performance.now() - started;
  pipeline.ms.push(ms);
  pipeline.firstDraftMs.push(Number.isNaN(firstDraft) ? ms : firstDraft);
  pipeline.forwardPasses.push(result.forwardPasses);
  const imageDice = diceOf(overlap(result.mask.data, sample.sourceMask.data));
  dice[sample.group] = { ...dice[sample.group], [sample.id]: imageDice };
  if (result.confidence !== null) calibration.push({ confidence: result.confidence, dice: imageDice });
  process.stderr.write(`pipeline ${i + 1}/${pipelineSources.length} ${sample.group}: ${ms.toFixed(0)} ms\n`);
}
const groupDice = Object.fromEntries(
  Object.entries(dice).map(([g, s]) => [g, Object.values(s).reduce((a, b) => a + b, 0) / Object.values(s).length]),
);
if (values['write-baseline']) {
  await mkdir(dirname(baselinePath), { recursive: true });
  const model = relative(process.cwd(), modelDir);
  await writeFile(baselinePath, `${JSON.stringify({ model, split: values.split, dice }, null, 2)}\n`);
}
const baseline: ImageDice | null = existsSync(baselinePath)
  ? (JSON.parse(await readFile(baselinePath, 'utf8')) as { dice: ImageDice }).dice
  : null;
const compared = baseline ? diceDelta(dice, baseline) : { delta: null, images: 0 };

// --- Refinement: one correction click on the text answer, answered as the app routes it (the model's own
// region part, else the region model beside it where one is installed) ---
const refinement = { ms: [] as number[], firstDraftMs: [] as number[] };
const pointing =
  model.layout.regionSlots > 0
    ? model
    : existsSync(resolve(values['region-model']))
      ? await loadModel(resolve(values['region-model']), threads)
      : null;
if (pointing) {
  const bone = listed.filter((s) => s.group === 'btxrd');
  for (const [i, source] of benchSamples(bone, Math.min(refineCount, bone.length)).entries()) {
    const sample = await loadSample(source);
    const film = unitPlane(sample.film);
    const text = await segment(model, modelInput(sample.film), sample.text, sample.sourceMask);
    const click = correctionClick(text.mask, sample.sourceMask);
    if (!click) continue;
    const started = performance.now();
    let firstDraft = Number.NaN;
    await segmentPointed(
      pointing,
      film,
      sample.text,
      { clicks: [click], previous: text.mask },
      {
        onDraft: () => {
          if (Number.isNaN(firstDraft)) firstDraft = performance.now() - started;
        },
      },
    );
    const ms = performance.now() - started;
    refinement.ms.push(ms);
    refinement.firstDraftMs.push(Number.isNaN(firstDraft) ? ms : firstDraft);
    process.stderr.write(`refinement ${i + 1}: ${ms.toFixed(0)} ms\n`);
  }
}
const refined = refinement.ms.length > 0 ? timeStats(refinement.ms) : null;
const refinedDraft = refinement.ms.length > 0 ? timeStats(refinement.firstDraftMs) : null;

// --- One view, three ways ---
type Mode = 'recompute' | 'kvGreedy' | 'headsOnly' | 'speculative';
const modes: { mode: Mode; options: SegmentOptions }[] = [
  {
    mode: 'recompute',
    options: {
      decoding: {
        decode: greedyDecode,
        sessions: (m: DecoderModels, rows: number) =>
          Array.from({ length: rows }, () => new RecomputeDecoderSession(m)),
      },
    },
  },
  { mode: 'kvGreedy', options: { decoding: { decode: greedyDecode } } },
  { mode: 'headsOnly', options: { decoding: { maxDraft: 0 } } },
  { mode: 'speculative', options: {} },
];
// One decode per image in every mode: no retry of empty answers, no other views, no gate.
const run = (sample: Sample, options: SegmentOptions) =>
  segment(model, sample.image, sample.text, sample.sourceMask, {
    ...options,
    fallback: [],
    views: [IDENTITY_VIEW],
    gate: false,
  });
const same = (a: Segmentation, b: Segmentation) =>
  Buffer.from(a.mask.data).equals(Buffer.from(b.mask.data)) &&
  a.tokens.length === b.tokens.length &&
  a.tokens.every((t, i) => t === b.tokens[i]);
const runs: Record<Mode, ModeRuns> = {
  recompute: { ms: [], forwardPasses: [] },
  kvGreedy: { ms: [], forwardPasses: [] },
  headsOnly: { ms: [], forwardPasses: [] },
  speculative: { ms: [], forwardPasses: [] },
};
const mismatches = { speculativeVsKv: [] as string[], headsOnlyVsKv: [] as string[], kvVsRecompute: [] as string[] };
for (const [i, source] of singleSources.entries()) {
  const sample = await loadSample(source);
  const results: Partial<Record<Mode, Segmentation>> = {};
  for (const { mode, options } of modes) {
    if (mode === 'recompute' && i >= recomputeCount) continue;
    const started = performance.now();
    const r = await run(sample, options);
    runs[mode].ms.push(performance.now() - started);
    runs[mode].forwardPasses.push(r.forwardPasses);
    results[mode] = r;
  }
  const { recompute, kvGreedy, headsOnly, speculative } = results as Record<Mode, Segmentation>;
  if (!same(speculative, kvGreedy)) mismatches.speculativeVsKv.push(sample.id);
  if (!same(headsOnly, kvGreedy)) mismatches.headsOnlyVsKv.push(sample.id);
  if (recompute && !same(kvGreedy, recompute)) mismatches.kvVsRecompute.push(sample.id);
  process.stderr.write(`single view ${i + 1}/${singleSources.length}\n`);
}

const outputs = model.layout.outputs;
const stats = Object.fromEntries(
  modes.map(({ mode }) => [mode, runs[mode].ms.length > 0 ? modeStats(runs[mode], outputs) : null]),
) as Record<Mode, ModeStats | null>;
const identical = mismatches.speculativeVsKv.length === 0 && mismatches.headsOnlyVsKv.length === 0;
const summary = {
  ...benchSummary(
    pipeline,
    { speculative: stats.speculative as ModeStats, kvGreedy: stats.kvGreedy as ModeStats },
    identical && mismatches.kvVsRecompute.length === 0,
    compared.delta,
  ),
  refinementP50Ms: refined && Number(refined.p50Ms.toFixed(1)),
};
const answer = timeStats(pipeline.ms);
const draft = timeStats(pipeline.firstDraftMs);

// The doc section.
const arch = model.architecture;
const training = modelFile.training;
const modelWords =
  training?.random === true
    ? `randomly initialised, untrained (model.json training: ${JSON.stringify(training)})`
    : `model.json training steps: ${training?.steps ?? 'not recorded'}`;
const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const row = (label: string, s: ModeStats | null, sameAs: string) =>
  s
    ? `| ${label} | ${s.images} | ${fmt(s.p50Ms)} | ${fmt(s.p95Ms)} | ${fmt(s.meanPasses, 1)} | ${fmt(s.tokensPerStep, 2)} | ${sameAs} |`
    : `| ${label} | 0 | – | – | – | – | not run |`;
const verdict = (list: string[], of: number) =>
  list.length === 0 ? `yes, ${of}/${of}` : `**no**, ${list.length}/${of} differ: ${list.join(', ')}`;
const args = process.argv
  .slice(2)
  .flatMap((a, i, all) =>
    a === '--note' || all[i - 1] === '--note' || a.startsWith('--note=') ? [] : [/^[\w./=:-]+$/.test(a) ? a : `'${a}'`],
  );
const command = `npm run bench:segment -- ${args.join(' ')}`.trim();
const shownModel = relative(process.cwd(), modelDir);
const meanPasses = pipeline.forwardPasses.reduce((a, b) => a + b, 0) / pipeline.forwardPasses.length;
const perGroupWords = GROUPS.map((g) => `${Object.keys(dice[g] ?? {}).length} ${g}`).join(', ');
const met = (ok: boolean) => (ok ? 'met' : '**not met**');
const body = `- **Latest figures**: ${new Date().toISOString().slice(0, 10)}, \`${command}\`, on ${machineLine()}, CPU execution provider, ${threads} intra-op thread(s). Times move with other load on the machine; ratios measured in one run much less. Every run, with its load average: \`bench/results/segment.jsonl\`.
- **Model**: \`${shownModel.startsWith('..') ? modelDir : shownModel || '.'}\` — width ${arch.width}, ${arch.heads} heads, ${arch.layers} layers, k = ${arch.predictHeads} heads, maxText ${arch.tokens.maxText}, ${arch.tokens.maskCodes} mask codes; ${modelWords}.

### The default pipeline

${pipeline.ms.length} images of the \`${values.split}\` split (${perGroupWords}), spread evenly over each group's list and interleaved, each with its group's canonical prompt (\`loadSample\` without a seed). Timed per image, after one untimed warm-up: \`segment()\` with its defaults, as the app and the CLI call it (every test-time view, the gates, the empty-answer fallback) from the decoded film at its own size (\`modelInput\` included) to the binary mask at that size. The first draft is the moment the first view's map is complete (the app shows it then). Not timed: reading and decoding the file, loading the model.

| | p50 ms | p95 ms |
| --- | --- | --- |
| first draft | ${fmt(draft.p50Ms)} | ${fmt(draft.p95Ms)} |
| answer | ${fmt(answer.p50Ms)} | ${fmt(answer.p95Ms)} |

- Forward passes per image (all decodes): ${fmt(meanPasses, 1)}. Per-image val Dice: ${Object.entries(groupDice)
  .map(([g, d]) => `${g} ${(d as number).toFixed(4)}`)
  .join(', ')}.
- **valDiceDelta** ${compared.delta === null ? `– (no baseline at \`${values.baseline}\`; \`--write-baseline\` records one)` : `${compared.delta.toFixed(4)}`}: per group, the mean change of per-image Dice over the ${compared.images} images scored by both, against the baseline in \`${values.baseline}\` (recorded by \`--write-baseline\`: the pipeline before the changes in docs/EXPERIMENTS.md, "Decoding and inference"), then the mean over the groups.
- **Targets** (2-core CPU): answer p50 ≤ 1000 ms — ${met(answer.p50Ms <= 1000)} (${fmt(answer.p50Ms)} ms); first draft ≤ 350 ms — ${met(draft.p50Ms <= 350)} (${fmt(draft.p50Ms)} ms); valDiceDelta ≥ −0.003 — ${compared.delta === null ? 'not measured' : met(compared.delta >= -0.003)}.

### Refinement: a correction click

${
  refined && refinedDraft
    ? `${refinement.ms.length} BTXRD films of the \`${values.split}\` split: the text answer, then one click where eval's simulated clinician puts it (the centre of the largest error, src/main/data/correction-clicks.ts); timed from the click to the final mask at the source size (\`segmentPointed\` with ${pointing === model ? 'the model itself' : `the region model \`${relative(process.cwd(), resolve(values['region-model']))}\``}: the zoomed window, its intensity views, the prior), and to the first draft.

| | p50 ms | p95 ms |
| --- | --- | --- |
| first draft | ${fmt(refinedDraft.p50Ms)} | ${fmt(refinedDraft.p95Ms)} |
| final mask | ${fmt(refined.p50Ms)} | ${fmt(refined.p95Ms)} |

- **Target**: click to final mask p50 ≤ 300 ms — ${met(refined.p50Ms <= 300)} (${fmt(refined.p50Ms)} ms).`
    : 'Not measured: neither the model nor a region model beside it has a region part (box and click tokens).'
}

### Confidence and Dice

Each answer's confidence (\`answerConfidence\`, src/main/segmenter/pipeline/answer-notices.ts: the mean |2p − 1| over the patches of the answer's probability map that hold any mass) against its Dice, on the same ${calibration.length} val answers; the plot is \`${values.reliability}\` (dots: answers; line: mean Dice per tenth of confidence). Answers under \`LOW_CONFIDENCE\` (${LOW_CONFIDENCE}) are labelled low confidence.

| confidence | answers | mean Dice |
| --- | --- | --- |
${reliabilityBins(calibration)
  .map((b) => `| ${b.from.toFixed(1)}–${b.to.toFixed(1)} | ${b.n} | ${b.dice.toFixed(3)} |`)
  .join('\n')}

Mean Dice below and at or above a confidence: ${[0.4, 0.5, 0.6, 0.7, 0.8]
  .map((c) => {
    const below = calibration.filter((p) => p.confidence < c);
    const above = calibration.filter((p) => p.confidence >= c);
    const mean = (ps: ConfidencePoint[]) =>
      ps.length ? (ps.reduce((s, p) => s + p.dice, 0) / ps.length).toFixed(3) : '–';
    return `${c}: ${mean(below)} (${below.length}) / ${mean(above)} (${above.length})`;
  })
  .join('; ')}.

### One view three ways: full recompute vs KV greedy vs speculative NkTP

${singleSources.length} images of the \`${values.split}\` split, spread over the groups; full recompute on the first ${recomputeCount}. Timed per image and mode (modes alternate image by image): one \`segment()\` call with the identity view only, no gate and \`fallback: []\` (one decode), from the 256x256 model input to the mask at the source size.

| mode | images | p50 ms | p95 ms | forward passes (mean) | tokens per step | same masks and tokens |
| --- | --- | --- | --- | --- | --- | --- |
${row('greedy, full recompute', stats.recompute, recomputeCount > 0 ? `as KV greedy: ${verdict(mismatches.kvVsRecompute, recomputeCount)}` : 'not run')}
${row('greedy, KV cache', stats.kvGreedy, 'reference')}
${row('speculative, NkTP heads only (`maxDraft: 0`)', stats.headsOnly, `as KV greedy: ${verdict(mismatches.headsOnlyVsKv, singleSources.length)}`)}
${row('speculative, NkTP heads + lookahead (`segment()`)', stats.speculative, `as KV greedy: ${verdict(mismatches.speculativeVsKv, singleSources.length)}`)}

- **Drafts**: heads 2..k guess the ${arch.predictHeads - 1} tokens after head 1's; \`segment()\` then extends the draft up to ${MAX_DRAFT} tokens with lookahead guesses (\`maskLookahead\`), verified in the same pass.
- **Forward passes** count \`DecoderSession.extend\` calls per image, the prompt pass included; **tokens per step** = ${outputs} outputs × images / Σ (forward passes − 1).
- **p50/p95**: the value at index ⌊p·n⌋ of the sorted per-image times (src/main/evaluation/segment-bench.ts). Speculative is ${summary.speedupVsKvGreedy}x faster than KV greedy (ratio of p50s).`;

const outPath = resolve(values.out);
const doc = existsSync(outPath)
  ? await readFile(outPath, 'utf8')
  : '# Benchmarks\n\nMeasured numbers; each section says how it was measured and names the command that rewrites it.\n';
await writeFile(outPath, replaceSection(doc, HEADING, body));
await recordRun('segment', command, loadBefore, summary);
if (calibration.length > 0)
  await writeFile(
    resolve(values.reliability),
    reliabilitySvg(calibration, `Confidence and Dice, ${calibration.length} val answers`),
  );
await releaseModel(model);
if (pointing && pointing !== model) await releaseModel(pointing);

console.log(
  `pipeline: ${pipeline.ms.length} images, first draft p50 ${fmt(draft.p50Ms)} ms, answer p50 ${fmt(answer.p50Ms)} ms, p95 ${fmt(answer.p95Ms)} ms; Dice ${JSON.stringify(groupDice)}${values['write-baseline'] ? `; baseline written to ${relative(process.cwd(), baselinePath)}` : ''}`,
);
for (const { mode } of modes) {
  const s = stats[mode];
  if (s) console.log(`${mode}: ${s.images} images, p50 ${fmt(s.p50Ms)} ms, ${fmt(s.tokensPerStep, 2)} tokens/step`);
}
console.log(JSON.stringify(summary));

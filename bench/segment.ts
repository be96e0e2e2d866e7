// Segmenting cost per image in three modes over the same val images: greedy decoding that reruns the
// whole sequence at every step (RecomputeDecoderSession), greedy over the KV cache, and speculative NkTP
// (segment()'s default). Writes its section of docs/BENCHMARKS.md; the last stdout line is the JSON summary.
// Run: npm run bench:segment -- [--model models/base] [--data ../shared/data] [--images 30] [--threads 2]
//      [--recompute-images N] [--out docs/BENCHMARKS.md] [--note "…"]
// Full recompute reruns 257 whole forwards per image (≈ 1–1.5 min per image for the base shape on the 2-core
// CPU), so it defaults to every image but `--recompute-images 3` (one per group) is the practical choice.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { GROUPS, listSamples, loadSample, type Sample } from '../src/main/data/samples';
import type { DecoderModels } from '../src/main/model/decoder-session';
import { loadModel } from '../src/main/model/model-files';
import { RecomputeDecoderSession } from '../src/main/model/recompute-session';
import { MAX_DRAFT, type Segmentation, type SegmentOptions, segment } from '../src/main/model/segment';
import {
  benchSamples,
  benchSummary,
  type ModeRuns,
  type ModeStats,
  modeStats,
  replaceSection,
} from '../src/main/model/segment-bench';
import { IDENTITY_VIEW } from '../src/main/model/test-time-views';
import { greedyDecode } from '../src/main/segmenter/decoding';

const HEADING = '## Segmenting: full recompute vs KV greedy vs speculative NkTP (`npm run bench:segment`)';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/base' },
    data: { type: 'string', default: '../shared/data' },
    split: { type: 'string', default: 'val' },
    images: { type: 'string', default: '30' },
    'recompute-images': { type: 'string' },
    threads: { type: 'string', default: '2' },
    out: { type: 'string', default: 'docs/BENCHMARKS.md' },
    note: { type: 'string' },
  },
});
const count = (name: string, value: string | undefined, min: number): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be a whole number ≥ ${min}, got ${value}`);
  return n;
};
const imageCount = count('images', values.images, 1);
const recomputeCount = Math.min(imageCount, count('recompute-images', values['recompute-images'] ?? values.images, 0));
const threads = count('threads', values.threads, 1);
const modelDir = resolve(values.model);

const model = await loadModel(modelDir, threads);
const modelFile = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8')) as {
  training?: { steps?: number; random?: boolean };
};
const sources = benchSamples(await listSamples(resolve(values.data), values.split), imageCount);
if (sources.length === 0) throw new Error(`${values.data} has no samples in split "${values.split}"`);
const samples: Sample[] = [];
for (const s of sources) samples.push(await loadSample(s)); // canonical text, no augmentation

type Mode = 'recompute' | 'kvGreedy' | 'headsOnly' | 'speculative';
const modes: { mode: Mode; label: string; options: SegmentOptions }[] = [
  {
    mode: 'recompute',
    label: 'greedy, full recompute',
    options: { decode: greedyDecode, session: (m: DecoderModels) => new RecomputeDecoderSession(m) },
  },
  { mode: 'kvGreedy', label: 'greedy, KV cache', options: { decode: greedyDecode } },
  { mode: 'headsOnly', label: 'speculative, NkTP heads only', options: { maxDraft: 0 } },
  { mode: 'speculative', label: 'speculative NkTP + lookahead', options: {} },
];
// One decode per image in every mode: the empty-answer fallback (segment.ts) and the test-time views
// would add whole decodes in all modes alike, measuring the same decoding again rather than a different one.
const run = (sample: Sample, options: SegmentOptions) =>
  segment(model, sample.image, sample.text, sample.sourceMask, { ...options, fallback: [], views: [IDENTITY_VIEW] });
const same = (a: Segmentation, b: Segmentation) =>
  Buffer.from(a.mask.data).equals(Buffer.from(b.mask.data)) &&
  a.tokens.length === b.tokens.length &&
  a.tokens.every((t, i) => t === b.tokens[i]);

const loadBefore = loadavg();
const first = samples[0] as Sample;
// Warm-up, untimed: full recompute runs the same two graphs, so warming them through the KV modes is enough.
for (const { mode, options } of modes) if (mode !== 'recompute') await run(first, options);

const runs: Record<Mode, ModeRuns> = {
  recompute: { ms: [], forwardPasses: [] },
  kvGreedy: { ms: [], forwardPasses: [] },
  headsOnly: { ms: [], forwardPasses: [] },
  speculative: { ms: [], forwardPasses: [] },
};
const mismatches = { speculativeVsKv: [] as string[], headsOnlyVsKv: [] as string[], kvVsRecompute: [] as string[] };
for (const [i, sample] of samples.entries()) {
  // Modes alternate per image, so load from other processes falls on all of them alike.
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
  const times = modes.map(({ mode }) => runs[mode].ms[i]?.toFixed(0) ?? '-').join(' / ');
  process.stderr.write(
    `${i + 1}/${samples.length} ${sample.group}: ${times} ms (recompute / KV / heads / speculative)\n`,
  );
}
const loadAfter = loadavg();

const outputs = model.layout.outputs;
const stats = Object.fromEntries(
  modes.map(({ mode }) => [mode, runs[mode].ms.length > 0 ? modeStats(runs[mode], outputs) : null]),
) as Record<Mode, ModeStats | null>;
const identical = Object.values(mismatches).every((list) => list.length === 0);
const nan: ModeStats = { images: 0, p50Ms: Number.NaN, p95Ms: Number.NaN, meanPasses: Number.NaN, tokensPerStep: 0 };
const summary = benchSummary(
  {
    speculative: stats.speculative as ModeStats,
    kvGreedy: stats.kvGreedy as ModeStats,
    recompute: stats.recompute ?? nan,
  },
  identical,
);

// The doc section.
const arch = model.architecture;
const training = modelFile.training;
const modelWords =
  training?.random === true
    ? `randomly initialised, untrained (model.json training: ${JSON.stringify(training)})`
    : `model.json training steps: ${training?.steps ?? 'not recorded'}`;
const perGroup = GROUPS.map((g) => `${samples.filter((s) => s.group === g).length} ${g}`).join(', ');
const fmt = (v: number, digits = 0) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const row = (label: string, s: ModeStats | null, sameAs: string) =>
  s
    ? `| ${label} | ${s.images} | ${fmt(s.p50Ms)} | ${fmt(s.p95Ms)} | ${fmt(s.meanPasses, 1)} | ${fmt(s.tokensPerStep, 2)} | ${sameAs} |`
    : `| ${label} | 0 | – | – | – | – | not run |`;
const verdict = (list: string[], of: number) =>
  list.length === 0 ? `yes, ${of}/${of}` : `**no**, ${list.length}/${of} differ: ${list.join(', ')}`;
const speedup = summary.speedupVsKvGreedy;
// The command as run, shell-quoted where needed; the note is shown on its own line instead.
const args = process.argv
  .slice(2)
  .flatMap((a, i, all) =>
    a === '--note' || all[i - 1] === '--note' || a.startsWith('--note=') ? [] : [/^[\w./=:-]+$/.test(a) ? a : `'${a}'`],
  );
const command = `npm run bench:segment -- ${args.join(' ')}`.trim();
const shownModel = relative(process.cwd(), modelDir);
const body = `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC with \`${command}\`.

- **Machine**: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}, onnxruntime-node ${ort.env.versions.node}, CPU execution provider, ${threads} intra-op thread(s); load average ${loadBefore.map((v) => v.toFixed(1)).join(' ')} before, ${loadAfter.map((v) => v.toFixed(1)).join(' ')} after.${values.note ? `\n- **Note**: ${values.note}` : ''}
- **Model**: \`${shownModel.startsWith('..') ? modelDir : shownModel || '.'}\` — width ${arch.width}, ${arch.heads} heads, ${arch.layers} layers, k = ${arch.predictHeads} heads, maxText ${arch.tokens.maxText}, ${arch.tokens.maskCodes} mask codes; ${modelWords}.
- **Images**: ${samples.length} images of the \`${values.split}\` split (${perGroup}), spread evenly over each group's list, each with its group's canonical prompt (\`loadSample\` without a seed: the infection description, the lung prompt, the BTXRD description). Full recompute ran on the first ${recomputeCount} of them (interleaved across the groups)${recomputeCount < samples.length ? ', because it is slow: its p50/p95 are over that subset' : ''}.
- **Timed, per image and mode** (one \`segment()\` call with \`fallback: []\` and the identity view only: one decode, no retry of empty answers and no test-time views (their cost is one such decode per view), after an untimed warm-up image in the KV modes, which runs the graphs full recompute uses too): from the 256x256 model input (already decoded and normalised by \`loadSample\`) and the prompt to the binary mask at the source image's size — image tokenizing (the image-codebook encoder), text tokenizing, the prompt (prefill) pass, every decoding step, and detokenizing to the source size. Not timed: reading and decoding the file, \`modelInput\`, loading the model. Modes alternate image by image.

| mode | images | p50 ms | p95 ms | forward passes (mean) | tokens per step | same masks and tokens |
| --- | --- | --- | --- | --- | --- | --- |
${row('greedy, full recompute', stats.recompute, recomputeCount > 0 ? `as KV greedy: ${verdict(mismatches.kvVsRecompute, recomputeCount)}` : 'not run')}
${row('greedy, KV cache', stats.kvGreedy, 'reference')}
${row('speculative, NkTP heads only (`maxDraft: 0`)', stats.headsOnly, `as KV greedy: ${verdict(mismatches.headsOnlyVsKv, samples.length)}`)}
${row('speculative, NkTP heads + lookahead (`segment()`)', stats.speculative, `as KV greedy: ${verdict(mismatches.speculativeVsKv, samples.length)}`)}

- **Drafts**: heads 2..k guess the ${arch.predictHeads - 1} tokens after head 1's; \`segment()\` then extends the draft up to ${MAX_DRAFT} tokens with lookahead guesses (the flat code above on the 16-wide grid, \`maskLookahead\`), verified in the same pass. Heads-only is the same decoding with \`maxDraft: 0\`.
- **Forward passes** count \`DecoderSession.extend\` calls per image, the prompt pass included. A full-recompute pass reruns the whole sequence so far from nothing (prefill over image + text, then the decode-step graph over all mask tokens produced so far): two ORT runs, no state kept between steps.
- **Tokens per step** = ${outputs} outputs (256 mask codes + EOS) × images / Σ (forward passes − 1): the prompt pass already yields the first token, each later pass yields the tokens it accepts (greedy: ${outputs}/${outputs - 1} = ${(outputs / (outputs - 1)).toFixed(3)}). Speculative decoding skips the pass for the last token when only one is left.
- **p50/p95**: the value at index ⌊p·n⌋ of the sorted per-image times (\`modeStats\`, src/main/model/segment-bench.ts). **Speedups** are ratios of p50s: ${summary.speedupVsKvGreedy}x over KV greedy, ${summary.speedupVsRecompute}x over full recompute${recomputeCount < samples.length ? ' (whose p50 is over the subset)' : ''}.
- **Targets**: speculative ≥ 2.5x faster than KV greedy — ${speedup >= 2.5 ? 'met' : '**not met**'} (${speedup}x); p50 ≤ 1 s — ${summary.p50Ms <= 1000 ? 'met' : '**not met**'} (${summary.p50Ms} ms).${training?.random === true ? ' With an untrained model the acceptance rate (tokens per step) says nothing about the trained one; rerun on the shipped model.' : ''}

Last stdout line:

\`\`\`json
${JSON.stringify(summary)}
\`\`\``;

const outPath = resolve(values.out);
const doc = existsSync(outPath)
  ? await readFile(outPath, 'utf8')
  : '# Benchmarks\n\nMeasured numbers; each section says how it was measured and names the command that rewrites it.\n';
await writeFile(outPath, replaceSection(doc, HEADING, body));
await Promise.all([model.prefill.release(), model.decode.release(), model.tokenizers.imageEncoder.release()]);

for (const { label, mode } of modes) {
  const s = stats[mode];
  if (s)
    console.log(
      `${label}: ${s.images} images, p50 ${fmt(s.p50Ms)} ms, p95 ${fmt(s.p95Ms)} ms, ${fmt(s.meanPasses, 1)} passes, ${fmt(s.tokensPerStep, 2)} tokens/step`,
    );
}
console.log(
  `identical: speculative = KV greedy on ${samples.length - mismatches.speculativeVsKv.length}/${samples.length}, heads only = KV greedy on ${samples.length - mismatches.headsOnlyVsKv.length}/${samples.length}, KV greedy = recompute on ${recomputeCount - mismatches.kvVsRecompute.length}/${recomputeCount}; wrote ${relative(process.cwd(), outPath)}`,
);
console.log(JSON.stringify(summary));

// One change at a time: the default pipeline (segment() with its defaults) against variants of it, each
// run on the same val images in the same process, image by image in turn, so load from other processes
// falls on all alike. Reports per variant the p50 time, its ratio to the reference's p50, the p50 CPU time
// of the process (ORT's threads included: what the answer costs the shared cores, less moved by other
// processes' load than the wall time), mean forward passes, and on how many images the mask is the
// reference's bit for bit.
// Run: npm run bench:segment-variants -- [--model models/base] [--data ../shared/data] [--per-group 5]
//      [--threads 2] [--out docs/BENCHMARKS.md]
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { listSamples, loadSample } from '../src/main/data/samples';
import { spread } from '../src/main/evaluation/evaluate';
import { benchSamples, replaceSection, timeStats } from '../src/main/evaluation/segment-bench';
import { modelInput } from '../src/main/imaging/model-input';
import { type SegmentOptions, segment } from '../src/main/segmenter/pipeline/segment';
import { type DecoderModels, KvDecoderSession } from '../src/main/segmenter/runtime/decoder-session';
import type { DecoderSession } from '../src/main/segmenter/runtime/decoding';
import { loadModel, releaseModel, type SegmentationModel } from '../src/main/segmenter/runtime/model-files';
import { machineLine, recordRun } from './results';

const HEADING = '## Faster answers: one change at a time (`npm run bench:segment-variants`)';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'models/base' },
    data: { type: 'string', default: '../shared/data' },
    split: { type: 'string', default: 'val' },
    'per-group': { type: 'string', default: '5' },
    threads: { type: 'string', default: '2' },
    out: { type: 'string', default: 'docs/BENCHMARKS.md' },
  },
});
const perGroup = Number(values['per-group']);
const threads = Number(values.threads);
const dir = resolve(values.model);
const model = await loadModel(dir, threads);
const oneThread = await loadModel(dir, 1);

interface Variant {
  name: string;
  model: SegmentationModel;
  options: SegmentOptions;
}
/**
 * The test-time views decoded one after another, each its own KV session (the pipeline before views were
 * batched): a row starts once the row before it has closed.
 */
function oneAtATime(m: DecoderModels, rows: number): DecoderSession[] {
  let turn = Promise.resolve();
  return Array.from({ length: rows }, () => {
    const session = new KvDecoderSession(m);
    const mine = turn;
    let done = () => {};
    turn = new Promise((resolve) => {
      done = resolve;
    });
    let started = false;
    return {
      get length() {
        return session.length;
      },
      truncate: (length: number) => session.truncate(length),
      extend: async (tokens: Int32Array) => {
        if (!started) await mine;
        started = true;
        return session.extend(tokens);
      },
      close: () => done(),
    };
  });
}

const oneByOne = { sessions: oneAtATime };
const variants: Variant[] = [
  {
    name: `reference: views one at a time, ORT ${threads} threads, no spinning, longest draft 16`,
    model,
    options: { decoding: oneByOne },
  },
  { name: 'views one at a time, longest draft 8', model, options: { decoding: { ...oneByOne, maxDraft: 8 } } },
  { name: 'views as one batch, longest draft 16 (default)', model, options: {} },
  { name: 'views as one batch, longest draft 8', model, options: { decoding: { maxDraft: 8 } } },
  { name: 'views as one batch, longest draft 12', model, options: { decoding: { maxDraft: 12 } } },
  { name: 'views as one batch, ORT 1 thread', model: oneThread, options: {} },
];

const sources = benchSamples(spread(await listSamples(resolve(values.data), values.split), perGroup), perGroup * 3);
const runs = variants.map(() => ({ ms: [] as number[], cpuMs: [] as number[], passes: [] as number[], same: 0 }));
const loadBefore = loadavg();
{
  const warm = await loadSample(sources[0] as (typeof sources)[0]);
  for (const v of variants) await segment(v.model, warm.image, warm.text, warm.sourceMask, v.options);
}
for (const [n, source] of sources.entries()) {
  const sample = await loadSample(source);
  let reference: Uint8Array | null = null;
  for (const [i, v] of variants.entries()) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const r = await segment(v.model, modelInput(sample.film), sample.text, sample.sourceMask, v.options);
    const run = runs[i] as (typeof runs)[0];
    run.ms.push(performance.now() - started);
    const used = process.cpuUsage(cpu);
    run.cpuMs.push((used.user + used.system) / 1000);
    run.passes.push(r.forwardPasses);
    reference ??= r.mask.data;
    if (Buffer.from(r.mask.data).equals(Buffer.from(reference))) run.same++;
  }
  process.stderr.write(`${n + 1}/${sources.length} ${runs.map((r) => r.ms.at(-1)?.toFixed(0)).join(' / ')} ms\n`);
}
const base = timeStats((runs[0] as (typeof runs)[0]).ms).p50Ms;
const baseCpu = timeStats((runs[0] as (typeof runs)[0]).cpuMs).p50Ms;
const rows = variants.map((v, i) => {
  const r = runs[i] as (typeof runs)[0];
  const p50 = timeStats(r.ms).p50Ms;
  const cpu = timeStats(r.cpuMs).p50Ms;
  const passes = r.passes.reduce((a, b) => a + b, 0) / r.passes.length;
  return `| ${v.name} | ${p50.toFixed(0)} | ${(base / p50).toFixed(2)}x | ${cpu.toFixed(0)} | ${(baseCpu / cpu).toFixed(2)}x | ${passes.toFixed(1)} | ${r.same}/${sources.length} |`;
});
const command = `npm run bench:segment-variants -- ${process.argv.slice(2).join(' ')}`.trim();
const body = `- **Latest figures**: ${new Date().toISOString().slice(0, 10)}, \`${command}\`, on ${machineLine()}. Times move with other load on the machine, so each change is read as its ratio to the reference in the same run, as its CPU time (this process's, ORT's threads included), and as its forward passes (per decode, a batch's rows each counted), which do not depend on the load. Every run, with its load average: \`bench/results/segment-variants.jsonl\`.

${sources.length} val images (${perGroup} per group, spread), the default pipeline (\`segment()\` from the film: every test-time view and gate) per variant, the variants in turn on each image, after one untimed warm-up image.

| variant | p50 ms | speed vs reference | CPU ms (p50) | CPU vs reference | forward passes (mean) | masks as the reference's |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}`;
const outPath = resolve(values.out);
const doc = existsSync(outPath) ? await readFile(outPath, 'utf8') : '# Benchmarks\n';
await writeFile(outPath, replaceSection(doc, HEADING, body));
await recordRun('segment-variants', command, loadBefore, { variants: rows });
await Promise.all([releaseModel(model), releaseModel(oneThread)]);
console.log(rows.join('\n'));
console.log(`wrote ${relative(process.cwd(), outPath)}`);

// Training-step throughput of the engine against ORT's plain MatMul on this machine.
// Run: npm run bench:engine   (about a minute on 2 cores)
import { performance } from 'node:perf_hooks';
import { Graph } from '../src/main/engine/graph';
import { serializeModel } from '../src/main/engine/onnx';
import { hostTensor, openSession } from '../src/main/engine/session';
import { makeTrainStep } from '../src/main/engine/train-step';
import { Trainer } from '../src/main/engine/trainer';
import { type DecoderConfig, decoderBatch, decoderLoss } from '../src/main/engine/transformer';

const SEQ = 512;
const BATCH = Number(process.env.BENCH_BATCH ?? 2);
const STEPS = Number(process.env.BENCH_STEPS ?? 5);

/** A single [rows, k] × [k, n] MatMul session; `time()` returns ms for one run. */
async function matmulProbe(rows: number, k: number, n: number) {
  const g = new Graph('float32');
  const a = g.input('a', 'float32', [rows, k]);
  const b = g.input('b', 'float32', [k, n]);
  const y = g.matmul(a, b);
  const { session } = await openSession(serializeModel(g, { inputs: [a, b], outputs: [y], initializers: [] }));
  const feeds = {
    a: hostTensor(new Float32Array(rows * k).fill(0.5), [rows, k]),
    b: hostTensor(new Float32Array(k * n).fill(0.25), [k, n]),
  };
  return {
    flops: 2 * rows * k * n,
    async time(): Promise<number> {
      const t0 = performance.now();
      await session.run(feeds);
      return performance.now() - t0;
    },
    release: () => session.release(),
  };
}

/**
 * Train steps and reference MatMuls are interleaved and each side's best time is kept, so
 * both are measured under the same background load (this machine's cores are shared).
 */
async function measure(width: number) {
  const cfg: DecoderConfig = { vocab: 1024, width, heads: width / 64, layers: 2, maxSeq: SEQ };
  const program = makeTrainStep({ batch: decoderBatch(BATCH, SEQ), loss: decoderLoss(cfg, SEQ) });
  const trainer = await Trainer.create(program, { seed: 1 });
  const probe = await matmulProbe(SEQ, width, 4 * width);
  const n = BATCH * SEQ;
  const tokens = BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 7919) % cfg.vocab));
  const targets = BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 104729 + 1) % cfg.vocab));
  const batch = { tokens, targets, weights: new Float32Array(n).fill(1) };
  // Warm-up: ORT allocates its arenas on the first runs.
  await trainer.step(batch, 1e-4);
  for (let i = 0; i < 3; i++) await probe.time();
  const times: number[] = [];
  let matmulBest = Number.POSITIVE_INFINITY;
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    await trainer.step(batch, 1e-4);
    times.push(performance.now() - t0);
    for (let j = 0; j < 3; j++) matmulBest = Math.min(matmulBest, await probe.time());
  }
  await Promise.all([trainer.close(), probe.release()]);
  times.sort((a, b) => a - b);
  return {
    params: program.params.reduce((s, p) => s + p.size, 0),
    flops: program.matmulFlops,
    bestMs: times[0] as number,
    medianMs: times[times.length >> 1] as number,
    matmulGflops: probe.flops / (matmulBest * 1e6),
  };
}

const results: { trainStepGflops: number; matmulGflops: number; ratio: number }[] = [];
for (const width of [256, 512]) {
  const r = await measure(width);
  const gflops = r.flops / (r.bestMs * 1e6);
  const mm = r.matmulGflops;
  console.log(
    `width ${width}, seq ${SEQ}, batch ${BATCH}, 2 layers, ${(r.params / 1e6).toFixed(2)}M params: ` +
      `fwd+bwd+update ${r.bestMs.toFixed(0)} ms/step (median ${r.medianMs.toFixed(0)}), ` +
      `${(r.bestMs / BATCH).toFixed(0)} ms/sample, ${(r.flops / 1e9).toFixed(1)} GFLOP/step, ` +
      `${gflops.toFixed(1)} GFLOP/s; plain MatMul [${SEQ}×${width}]·[${width}×${4 * width}] ${mm.toFixed(1)} GFLOP/s, ratio ${(gflops / mm).toFixed(2)}`,
  );
  results.push({ trainStepGflops: gflops, matmulGflops: mm, ratio: gflops / mm });
}
const last = results[results.length - 1]!;
console.log(
  JSON.stringify({
    trainStepGflops: Number(last.trainStepGflops.toFixed(2)),
    matmulGflops: Number(last.matmulGflops.toFixed(2)),
    ratio: Number(last.ratio.toFixed(3)),
  }),
);

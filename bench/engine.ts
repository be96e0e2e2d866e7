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
const STEPS = Number(process.env.BENCH_STEPS ?? 4);

/** GFLOP/s of one [rows, k] × [k, n] MatMul, best of `runs`. */
async function matmulGflops(rows: number, k: number, n: number, runs = 10): Promise<number> {
  const g = new Graph('float32');
  const a = g.input('a', 'float32', [rows, k]);
  const b = g.input('b', 'float32', [k, n]);
  const y = g.matmul(a, b);
  const { session } = await openSession(serializeModel(g, { inputs: [a, b], outputs: [y], initializers: [] }));
  const feeds = {
    a: hostTensor(new Float32Array(rows * k).fill(0.5), [rows, k]),
    b: hostTensor(new Float32Array(k * n).fill(0.25), [k, n]),
  };
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs + 2; i++) {
    const t0 = performance.now();
    await session.run(feeds);
    if (i >= 2) best = Math.min(best, performance.now() - t0);
  }
  await session.release();
  return (2 * rows * k * n) / (best * 1e6);
}

async function trainStepGflops(width: number) {
  const cfg: DecoderConfig = { vocab: 1024, width, heads: width / 64, layers: 2, maxSeq: SEQ };
  const program = makeTrainStep({ batch: decoderBatch(BATCH, SEQ), loss: decoderLoss(cfg, SEQ) });
  const trainer = await Trainer.create(program, { seed: 1 });
  const n = BATCH * SEQ;
  const tokens = BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 7919) % cfg.vocab));
  const targets = BigInt64Array.from({ length: n }, (_, i) => BigInt((i * 104729 + 1) % cfg.vocab));
  const batch = { tokens, targets, weights: new Float32Array(n).fill(1) };
  await trainer.step(batch, 1e-4); // warm-up: ORT allocates its arena on the first run
  const times: number[] = [];
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    await trainer.step(batch, 1e-4);
    times.push(performance.now() - t0);
  }
  await trainer.close();
  const best = Math.min(...times);
  const params = program.params.reduce((s, p) => s + p.size, 0);
  return {
    width,
    params,
    flops: program.matmulFlops,
    bestMs: best,
    medianMs: times.sort((a, b) => a - b)[times.length >> 1] as number,
  };
}

const results: { trainStepGflops: number; matmulGflops: number; ratio: number }[] = [];
for (const width of [256, 512]) {
  const r = await trainStepGflops(width);
  const mm = await matmulGflops(SEQ, width, 4 * width);
  const gflops = r.flops / (r.bestMs * 1e6);
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

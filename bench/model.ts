// NTP-MRISeg cost on this machine for a config's architecture (random weights, synthetic tokens):
// train-step time per loss setting, and segmenting time (greedy vs speculative decoding, forward passes).
// Run: npm run bench:model -- [configs/base.json]   (BENCH_STEPS env, default 3; about a minute for base)
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { makeTrainStep } from '../src/main/engine/train-step';
import { initialParams, Trainer } from '../src/main/engine/trainer';
import type { ArchitectureConfig, LossConfig } from '../src/main/model/config';
import { decodeStepModel, prefillModel } from '../src/main/model/inference';
import { KvDecoderSession, openDecoderModels, promptIds } from '../src/main/segmenter/runtime/decoder-session';
import { greedyDecode, speculativeDecode } from '../src/main/segmenter/runtime/decoding';
import { parseTrainConfig } from '../src/main/training/train-config';
import { modelBatch, modelLoss } from '../src/main/training/train-graph';
import { allowedOutput, GRID_TOKENS, tokenLayout } from '../src/shared/tokens';

const configPath = process.argv[2] ?? 'configs/base.json';
const STEPS = Number(process.env.BENCH_STEPS ?? 3);
const cfg = parseTrainConfig(await readFile(configPath, 'utf8'), configPath);
const { maxText, ...shape } = cfg.architecture;
// Token sizes of the shipped tokenizers (K = 1024 mask codes, 3 levels of 512 image codes, ~340 text ids).
const arch: ArchitectureConfig = {
  ...shape,
  tokens: { maskCodes: 1024, imageLevels: 3, imageCodes: 512, textVocab: 340, maxText },
};
const layout = tokenLayout(arch.tokens);
const B = cfg.train.batch;
const rand = (n: number, lo: number, span: number) =>
  BigInt64Array.from({ length: n }, (_, i) => BigInt(lo + ((i * 7919) % span)));

function batch(losses: LossConfig) {
  const b: Record<string, BigInt64Array | Float32Array> = {
    image: rand(B * GRID_TOKENS * 3, layout.imageOffset, 1536),
    tokens: rand(B * (maxText + GRID_TOKENS), 0, layout.maskCodes),
    targets: rand(B * layout.outputs, 0, layout.maskCodes),
  };
  if (losses.het.enabled) {
    const h = losses.het.top;
    b.hetPositions = rand(B * h, 0, layout.outputs);
    b.hetWrong = rand(B * h, 0, layout.maskCodes);
    b.hetWeights = new Float32Array(B * h).fill(1);
  }
  return b;
}

const off = { enabled: false };
const settings: [string, LossConfig][] = [
  [
    'ntp',
    { nktp: { ...cfg.losses.nktp, ...off }, tcl: { ...cfg.losses.tcl, ...off }, het: { ...cfg.losses.het, ...off } },
  ],
  ['all', cfg.losses],
];
const results: Record<string, number> = {};
let params: Record<string, Float32Array> = {};
for (const [name, losses] of settings) {
  const program = makeTrainStep({ batch: modelBatch(arch, losses, B), loss: modelLoss(arch, losses) });
  const trainer = await Trainer.create(program, { seed: 1, threads: cfg.train.threads });
  const data = batch(losses);
  await trainer.step(data, 1e-4); // warm-up
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < STEPS; i++) {
    const t0 = performance.now();
    await trainer.step(data, 1e-4);
    best = Math.min(best, performance.now() - t0);
  }
  results[`stepMs_${name}`] = best;
  console.log(`train step, losses ${name}, batch ${B}: ${best.toFixed(0)} ms (best of ${STEPS})`);
  if (name === 'all') {
    params = Object.fromEntries(
      program.params.map((p, i) => [p.name, initialParams(program.params, 1)[i] as Float32Array]),
    );
  }
  await trainer.close();
}

const models = await openDecoderModels(arch, {
  prefill: prefillModel(arch, params),
  decode: decodeStepModel(arch, params),
});
const prompt = promptIds(
  layout,
  Array.from({ length: 3 * GRID_TOKENS }, (_, i) => i % 512),
  [2, 3, 4, 5],
);
const options = { steps: layout.outputs, allowed: (i: number) => allowedOutput(layout, i) };
for (const [name, run] of [
  ['greedy', greedyDecode],
  ['speculative', speculativeDecode],
] as const) {
  const t0 = performance.now();
  const r = await run(new KvDecoderSession(models), prompt, options);
  results[`decodeMs_${name}`] = performance.now() - t0;
  results[`passes_${name}`] = r.forwardPasses;
  console.log(`${name}: ${results[`decodeMs_${name}`]?.toFixed(0)} ms, ${r.forwardPasses} passes (untrained weights)`);
}
console.log(JSON.stringify({ config: configPath, batch: B, ...results }));

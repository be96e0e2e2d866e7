// The TypeScript graph's training losses (src/main/training/train-graph.ts modelLoss) for the first `count`
// records of a token dump, under a checkpoint's parameters, with clean mask inputs and the fixed HET
// inputs parity.py also builds. Prints one JSON line; parity.py computes the same in PyTorch and compares.
// Usage: npx tsx tools/gpu-train/parity.ts <checkpoint> <dump.nmtok> [count]

import { loadCheckpoint } from '../../src/main/engine/checkpoint';
import { Graph, type Tensor } from '../../src/main/engine/graph';
import { serializeModel } from '../../src/main/engine/onnx';
import { hostTensor, openSession } from '../../src/main/engine/session';
import { declareBatch } from '../../src/main/engine/train-step';
import { type ArchitectureConfig, layoutOf } from '../../src/main/model/config';
import { readTokenDump } from '../../src/main/training/token-dump';
import type { TrainConfig } from '../../src/main/training/train-config';
import { modelBatch, modelLoss } from '../../src/main/training/train-graph';
import { GRID_TOKENS } from '../../src/shared/tokens';

const [ckptPath, dumpPath, countArg] = process.argv.slice(2);
if (!ckptPath || !dumpPath) throw new Error('usage: parity.ts <checkpoint> <dump.nmtok> [count]');
const B = Number(countArg ?? 4);
const ckpt = await loadCheckpoint(ckptPath);
const { config, architecture } = ckpt.config as { config: TrainConfig; architecture: ArchitectureConfig };
const layout = layoutOf(architecture);
const dump = await readTokenDump(dumpPath);
const P = layout.outputs;
const H = config.losses.het.top;

const g = new Graph('float32');
const inputs = declareBatch(g, modelBatch(architecture, config.losses, B));
const { loss, metrics = {} } = modelLoss(architecture, config.losses)(g, inputs);
const outputs: Tensor[] = [g.named(loss, 'loss'), ...Object.entries(metrics).map(([k, t]) => g.named(t, k))];
const model = serializeModel(g, {
  inputs: [...g.inputs, ...g.params.map((p) => p.tensor)],
  outputs,
  initializers: g.constants,
});
const { session } = await openSession(model, { threads: 2 });

const L = layout.imageLevels;
const T = layout.promptTokens;
const big = (n: number, at: (i: number) => number) => BigInt64Array.from({ length: n }, (_, i) => BigInt(at(i)));
const row = T + GRID_TOKENS;
const feeds: Record<string, ReturnType<typeof hostTensor>> = {
  image: hostTensor(
    big(B * GRID_TOKENS * L, (i) => dump.image[i] as number),
    [B, GRID_TOKENS, L],
  ),
  tokens: hostTensor(
    big(B * row, (i) => {
      const b = Math.floor(i / row);
      const k = i % row;
      return (k < T ? dump.text[b * T + k] : dump.mask[b * GRID_TOKENS + k - T]) as number;
    }),
    [B, row],
  ),
  targets: hostTensor(
    big(B * P, (i) => {
      const b = Math.floor(i / P);
      const k = i % P;
      return k < GRID_TOKENS ? (dump.mask[b * GRID_TOKENS + k] as number) : layout.eos;
    }),
    [B, P],
  ),
  ...(layout.priorTokens > 0
    ? {
        prior: hostTensor(
          big(B * layout.priorTokens, (i) => dump.prior[i] as number),
          [B, layout.priorTokens],
        ),
      }
    : {}),
  // The fixed HET inputs parity.py builds the same way.
  hetPositions: hostTensor(
    big(B * H, (i) => (i * 16 + Math.floor(i / H)) % P),
    [B, H],
  ),
  hetWrong: hostTensor(
    big(B * H, (i) => (i * 37 + 11) % layout.outputVocab),
    [B, H],
  ),
  hetWeights: hostTensor(
    Float32Array.from({ length: B * H }, (_, i) => (i % 3 === 2 ? 0 : 1)),
    [B, H],
  ),
};
for (const p of g.params) {
  const values = ckpt.state.params[p.tensor.name];
  if (!values) throw new Error(`${ckptPath} lacks parameter ${p.tensor.name}`);
  feeds[p.tensor.name] = hostTensor(values, p.tensor.shape as number[]);
}
const out = await session.run(feeds);
const result = Object.fromEntries(outputs.map((t) => [t.name, Number(out[t.name]?.data[0])]));
process.stdout.write(`${JSON.stringify({ count: B, ...result })}\n`);
await session.release();

// Fine-tuning's graphs: the training loss with its guard against forgetting, which weights train,
// and the held-out loss model early stopping reads.
import { Graph, type Tensor } from '../engine/graph';
import { serializeModel } from '../engine/onnx';
import { type BatchSpec, declareBatch, type LossFn } from '../engine/train-step';
import { type ArchitectureConfig, DEFAULT_LOSSES, type LossConfig } from '../model/config';
import { modelBatch, modelLoss } from '../training/train-graph';

/** A parameter the L2 guard pulls towards its starting value, fed as input `anchor:<name>`. */
export interface Anchor {
  name: string;
  shape: number[];
}

/**
 * The training step's batch and loss: the base model's loss plus, for each anchor, λ·Σ(w − w₀)²
 * (w₀ fed as an input, so the starting weights are not copied into the graph).
 */
export function forgettingGuard(
  arch: ArchitectureConfig,
  losses: LossConfig,
  batch: number,
  anchors: readonly Anchor[],
  lambda: number,
): { batch: BatchSpec; loss: LossFn } {
  const spec = modelBatch(arch, losses, batch);
  for (const a of anchors) spec[`anchor:${a.name}`] = { dtype: 'float32', shape: a.shape };
  const base = modelLoss(arch, losses);
  const loss: LossFn = (g, b) => {
    const out = base(g, b);
    if (anchors.length === 0) return out;
    const byName = new Map(g.params.map((p) => [p.tensor.name, p.tensor]));
    let pull: Tensor | null = null;
    for (const a of anchors) {
      const w = byName.get(a.name);
      if (!w) throw new Error(`the model has no parameter ${a.name} to anchor`);
      const d = g.sub(w, b[`anchor:${a.name}`] as Tensor);
      const sq = g.reduceSum(g.mul(d, d), [...Array(a.shape.length).keys()]);
      pull = pull ? g.add(pull, sq) : sq;
    }
    const pulled = g.mul(g.scalar(lambda), pull as Tensor);
    return { loss: g.add(out.loss, pulled), metrics: { ...out.metrics, pull: pulled } };
  };
  return { batch: spec, loss };
}

/**
 * What trains: every parameter under the L2 guard; under 'last-blocks' the last `blocks` decoder
 * blocks, the final norm and heads 2..k (head 1 is the tied embedding, which stays as it was).
 */
export function trainableNames(
  names: readonly string[],
  arch: ArchitectureConfig,
  settings: { guard: 'l2' | 'last-blocks'; blocks: number },
): string[] {
  if (settings.guard === 'l2') return [...names];
  const first = Math.max(0, arch.layers - settings.blocks);
  return names.filter((n) => {
    const layer = /^layer(\d+)\./.exec(n);
    if (layer) return Number(layer[1]) >= first;
    return n.startsWith('final.') || /^head\d+\./.test(n);
  });
}

/** Head 1's teacher-forced cross-entropy of one sample, parameters as inputs: output `loss`. */
export function heldOutLossModel(arch: ArchitectureConfig): Uint8Array {
  const losses: LossConfig = {
    nktp: { ...DEFAULT_LOSSES.nktp, enabled: false },
    tcl: { ...DEFAULT_LOSSES.tcl, enabled: false },
    het: { ...DEFAULT_LOSSES.het, enabled: false },
  };
  const g = new Graph('float32');
  const batch = declareBatch(g, modelBatch(arch, losses, 1));
  const out = modelLoss(arch, losses)(g, batch);
  const loss = g.named(out.metrics?.ntp ?? out.loss, 'loss');
  return serializeModel(g, {
    inputs: [...g.inputs, ...g.params.map((p) => p.tensor)],
    outputs: [loss],
    initializers: g.constants,
  });
}

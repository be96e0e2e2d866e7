// The training step's batch and loss for NTP-MRISeg, and a teacher-forced prediction model (parameters
// as inputs, so it runs on the trainer's live buffers) that the HET memory reads after each step.
import { GRID_TOKENS } from '../../shared/tokens';
import { Graph, type Tensor } from '../engine/graph';
import { serializeModel } from '../engine/onnx';
import type { BatchSpec, LossFn } from '../engine/train-step';
import { type ArchitectureConfig, type LossConfig, layoutOf } from '../model/config';
import { hardErrorLoss, nextTokensLoss, tokenContrastiveLoss } from '../model/losses';
import { teacherForced } from '../model/network';

export function modelBatch(arch: ArchitectureConfig, losses: LossConfig, batch: number): BatchSpec {
  const layout = layoutOf(arch);
  const spec: BatchSpec = {
    image: { dtype: 'int64', shape: [batch, GRID_TOKENS, layout.imageLevels] },
    tokens: { dtype: 'int64', shape: [batch, layout.promptTokens + GRID_TOKENS] },
    targets: { dtype: 'int64', shape: [batch, layout.outputs] },
  };
  if (layout.priorTokens > 0) spec.prior = { dtype: 'int64', shape: [batch, layout.priorTokens] };
  if (losses.het.enabled) {
    const h = losses.het.top;
    spec.hetPositions = { dtype: 'int64', shape: [batch, h] };
    spec.hetWrong = { dtype: 'int64', shape: [batch, h] };
    spec.hetWeights = { dtype: 'float32', shape: [batch, h] };
  }
  return spec;
}

export function modelLoss(arch: ArchitectureConfig, losses: LossConfig): LossFn {
  return (g, b) => {
    const targets = b.targets as Tensor;
    const f = teacherForced(g, arch, b.image as Tensor, b.tokens as Tensor, b.prior);
    const first = f.logits[0] as Tensor;
    const ntp = nextTokensLoss(g, f.logits, targets, losses.nktp.enabled ? losses.nktp.decay : null);
    let loss = ntp.loss;
    const metrics: Record<string, Tensor> = { accuracy: ntp.accuracy, ntp: ntp.loss };
    if (losses.tcl.enabled) {
      const { negatives, temperature, weight } = losses.tcl;
      const predicted = g.argMax(first, -1);
      const tcl = tokenContrastiveLoss(g, f.hidden, targets, predicted, f.embedding, negatives, temperature);
      metrics.tcl = tcl;
      loss = g.add(loss, g.mul(g.scalar(weight), tcl));
    }
    if (losses.het.enabled) {
      const het = hardErrorLoss(
        g,
        first,
        targets,
        b.hetPositions as Tensor,
        b.hetWrong as Tensor,
        b.hetWeights as Tensor,
      );
      metrics.het = het;
      loss = g.add(loss, g.mul(g.scalar(losses.het.weight), het));
    }
    return { loss, metrics };
  };
}

/** Head 1's argmax at the 257 output positions (teacher forced); parameters are inputs by name. */
export function predictionModel(arch: ArchitectureConfig, batch: number): Uint8Array {
  const layout = layoutOf(arch);
  const g = new Graph('float32');
  const image = g.input('image', 'int64', [batch, GRID_TOKENS, layout.imageLevels]);
  const tokens = g.input('tokens', 'int64', [batch, layout.promptTokens + GRID_TOKENS]);
  const prior = layout.priorTokens > 0 ? g.input('prior', 'int64', [batch, layout.priorTokens]) : undefined;
  const f = teacherForced(g, arch, image, tokens, prior);
  const predicted = g.named(g.argMax(f.logits[0] as Tensor, -1), 'predicted');
  return serializeModel(g, {
    inputs: [...g.inputs, ...g.params.map((p) => p.tensor)],
    outputs: [predicted],
    initializers: g.constants,
  });
}

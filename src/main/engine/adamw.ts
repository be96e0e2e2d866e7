// AdamW (decoupled weight decay) with clipping by global gradient norm, as graph ops, so the
// update runs inside the same ORT call as the backward pass.
import type { Graph, Param, Tensor } from './graph';

export interface AdamWConfig {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  /** Clip the global gradient norm to this value; 0 disables clipping. */
  clipNorm: number;
}

export const DEFAULT_ADAMW: AdamWConfig = { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01, clipNorm: 1 };

export interface AdamWState {
  m: readonly Tensor[];
  v: readonly Tensor[];
}

/**
 * `step` is the 1-based step number after this update and `lr` the learning rate, both
 * float scalars fed per call. Returns the new parameters and moments, and the pre-clip norm.
 */
export function adamwUpdate(
  g: Graph,
  params: readonly Param[],
  grads: readonly Tensor[],
  state: AdamWState,
  step: Tensor,
  lr: Tensor,
  cfg: AdamWConfig,
): { params: Tensor[]; m: Tensor[]; v: Tensor[]; gradNorm: Tensor } {
  const s = (v: number) => g.scalar(v);
  const squares = grads.map((gr) => g.reduceSumSquare(gr, [...Array(gr.rank).keys()]));
  const gradNorm = g.sqrt(squares.reduce((a, b) => g.add(a, b)));
  // Clipping scales the gradient; fold the scale into the moment updates' coefficients.
  const clip = cfg.clipNorm > 0 ? g.min(s(1), g.div(s(cfg.clipNorm), g.add(gradNorm, s(1e-6)))) : s(1);
  const mCoef = g.mul(s(1 - cfg.beta1), clip);
  const vCoef = g.mul(s(1 - cfg.beta2), g.mul(clip, clip));
  const bc1 = g.sub(s(1), g.pow(s(cfg.beta1), step));
  const bc2 = g.sub(s(1), g.pow(s(cfg.beta2), step));
  const stepSize = g.div(lr, bc1);
  const invSqrtBc2 = g.div(s(1), g.sqrt(bc2));
  const decay = g.sub(s(1), g.mul(lr, s(cfg.weightDecay)));

  const out = { params: [] as Tensor[], m: [] as Tensor[], v: [] as Tensor[], gradNorm };
  params.forEach((p, i) => {
    const gr = grads[i] as Tensor;
    const m = g.add(g.mul(state.m[i] as Tensor, s(cfg.beta1)), g.mul(gr, mCoef));
    const v = g.add(g.mul(state.v[i] as Tensor, s(cfg.beta2)), g.mul(g.mul(gr, gr), vCoef));
    const denom = g.add(g.mul(g.sqrt(v), invSqrtBc2), s(cfg.eps));
    const update = g.mul(g.div(m, denom), stepSize);
    const base = p.decay && cfg.weightDecay > 0 ? g.mul(p.tensor, decay) : p.tensor;
    out.params.push(g.sub(base, update));
    out.m.push(m);
    out.v.push(v);
  });
  return out;
}

// Builds the ONNX models of one training step from a loss function: a fused model
// (forward, backward and AdamW in one call) and, for gradient accumulation, an accumulate
// model (grads += ∂loss/∂params) and an update model (AdamW from the accumulated grads).
import { type AdamWConfig, adamwUpdate, DEFAULT_ADAMW } from './adamw';
import { grad } from './autodiff';
import { type DType, Graph, type Param, type ParamInit, type Tensor } from './graph';
import { serializeModel } from './onnx';

export interface BatchSpec {
  [name: string]: { dtype: DType; shape: number[] };
}

export type LossFn = (g: Graph, batch: Record<string, Tensor>) => { loss: Tensor; metrics?: Record<string, Tensor> };

export interface ParamSpec {
  name: string;
  shape: number[];
  size: number;
  init: ParamInit;
  decay: boolean;
}

/** An ONNX model plus the names of the tensors the trainer feeds and fetches. */
export interface StepModel {
  model: Uint8Array;
  /** Output names: per parameter (in `params` order) where present. */
  params?: string[];
  m?: string[];
  v?: string[];
  grads?: string[];
  loss?: string;
  gradNorm?: string;
  metrics: Record<string, string>;
}

export interface TrainProgram {
  params: ParamSpec[];
  batch: BatchSpec;
  optimizer: AdamWConfig;
  fused: StepModel;
  accumulate: StepModel;
  update: StepModel;
  /** Multiply-add FLOPs of the fused step's MatMuls (2·M·N·K each), for throughput reports. */
  matmulFlops: number;
}

export const inputName = {
  m: (p: string) => `adam.m:${p}`,
  v: (p: string) => `adam.v:${p}`,
  acc: (p: string) => `grad.acc:${p}`,
  step: 'step',
  lr: 'lr',
  gradScale: 'grad_scale',
};

/** The batch's graph inputs, one per spec entry, named as the spec names them. */
export function declareBatch(g: Graph, spec: BatchSpec): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(spec).map(([k, s]) => [k, g.input(k, s.dtype, s.shape)]));
}

/** Builds the loss; `frozen` parameters become plain inputs (fed like the batch, never updated). */
function forward(spec: BatchSpec, loss: LossFn, frozen: ReadonlySet<string>) {
  const g = new Graph('float32');
  const batch = declareBatch(g, spec);
  const out = loss(g, batch);
  if (out.loss.rank !== 0) throw new Error('loss must be a scalar');
  for (let i = g.params.length - 1; i >= 0; i--) {
    const p = g.params[i] as Param;
    if (!frozen.has(p.tensor.name)) continue;
    g.params.splice(i, 1);
    g.inputs.push(p.tensor);
  }
  const missing = [...frozen].filter((name) => !g.inputs.some((t) => t.name === name));
  if (missing.length > 0) throw new Error(`frozen names no parameter: ${missing.join(', ')}`);
  return { g, out };
}

function paramInputs(g: Graph): Tensor[] {
  return g.params.map((p) => p.tensor);
}

function moments(g: Graph) {
  return {
    m: g.params.map((p) => g.input(inputName.m(p.tensor.name), 'float32', p.tensor.shape)),
    v: g.params.map((p) => g.input(inputName.v(p.tensor.name), 'float32', p.tensor.shape)),
  };
}

function scalars(g: Graph) {
  return { step: g.input(inputName.step, 'float32', []), lr: g.input(inputName.lr, 'float32', []) };
}

const names = (ts: readonly Tensor[]) => ts.map((t) => t.name);
const metricNames = (m: Record<string, Tensor> | undefined) =>
  Object.fromEntries(Object.entries(m ?? {}).map(([k, t]) => [k, t.name]));

function serialize(g: Graph, outputs: Tensor[]): Uint8Array {
  // Parameters are graph inputs (fed from host buffers each step), never initialisers.
  return serializeModel(g, { inputs: [...g.inputs, ...paramInputs(g)], outputs, initializers: g.constants });
}

export function matmulFlops(g: Graph): number {
  let flops = 0;
  for (const n of g.nodes) {
    if (n.op !== 'MatMul') continue;
    const a = g.tensor(n.inputs[0] as string);
    const y = g.tensor(n.outputs[0] as string);
    const k = a.shape[a.rank - 1] as number;
    flops += 2 * k * y.shape.reduce<number>((p, d) => p * (d as number), 1);
  }
  return flops;
}

export function makeTrainStep(spec: {
  batch: BatchSpec;
  loss: LossFn;
  optimizer?: Partial<AdamWConfig>;
  /**
   * Parameters to keep fixed (e.g. the early layers when fine-tuning): they become batch inputs of
   * the program (fed with their values each step), get no gradient and no optimiser state.
   */
  frozen?: readonly string[];
}): TrainProgram {
  const optimizer = { ...DEFAULT_ADAMW, ...spec.optimizer };
  const frozen = new Set(spec.frozen ?? []);

  const fusedBuild = forward(spec.batch, spec.loss, frozen);
  const fg = fusedBuild.g;
  const fusedGrads = grad(fg, fusedBuild.out.loss, paramInputs(fg));
  const st = moments(fg);
  const sc = scalars(fg);
  const up = adamwUpdate(fg, fg.params, fusedGrads, st, sc.step, sc.lr, optimizer);
  const fused: StepModel = {
    model: serialize(fg, [
      ...up.params,
      ...up.m,
      ...up.v,
      fusedBuild.out.loss,
      up.gradNorm,
      ...Object.values(fusedBuild.out.metrics ?? {}),
    ]),
    params: names(up.params),
    m: names(up.m),
    v: names(up.v),
    loss: fusedBuild.out.loss.name,
    gradNorm: up.gradNorm.name,
    metrics: metricNames(fusedBuild.out.metrics),
  };

  const accBuild = forward(spec.batch, spec.loss, frozen);
  const ag = accBuild.g;
  const accGrads = grad(ag, accBuild.out.loss, paramInputs(ag));
  const sums = ag.params.map((p, i) =>
    ag.add(ag.input(inputName.acc(p.tensor.name), 'float32', p.tensor.shape), accGrads[i] as Tensor),
  );
  const accumulate: StepModel = {
    model: serialize(ag, [...sums, accBuild.out.loss, ...Object.values(accBuild.out.metrics ?? {})]),
    grads: names(sums),
    loss: accBuild.out.loss.name,
    metrics: metricNames(accBuild.out.metrics),
  };

  // The update model declares the same parameters without running the loss.
  const ug = new Graph('float32');
  for (const p of fg.params) ug.param(p.tensor.name, p.tensor.shape as number[], p.init, p.decay);
  const scale = ug.input(inputName.gradScale, 'float32', []);
  const uGrads = ug.params.map((p) => ug.mul(ug.input(inputName.acc(p.tensor.name), 'float32', p.tensor.shape), scale));
  const ust = moments(ug);
  const usc = scalars(ug);
  const uu = adamwUpdate(ug, ug.params, uGrads, ust, usc.step, usc.lr, optimizer);
  const update: StepModel = {
    model: serialize(ug, [...uu.params, ...uu.m, ...uu.v, uu.gradNorm]),
    params: names(uu.params),
    m: names(uu.m),
    v: names(uu.v),
    gradNorm: uu.gradNorm.name,
    metrics: {},
  };

  const params = fg.params.map((p) => {
    const shape = p.tensor.shape as number[];
    return { name: p.tensor.name, shape, size: shape.reduce((a, b) => a * b, 1), init: p.init, decay: p.decay };
  });
  const batch: BatchSpec = { ...spec.batch };
  for (const t of fg.inputs) {
    if (frozen.has(t.name)) batch[t.name] = { dtype: 'float32', shape: t.shape as number[] };
  }
  return { params, batch, optimizer, fused, accumulate, update, matmulFlops: matmulFlops(fg) };
}

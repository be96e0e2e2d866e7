// Central finite-difference check of autodiff, used by the engine's tests. The op's output
// is reduced against fixed random weights, so every output element's gradient is exercised.
import { grad } from './autodiff';
import { type DType, type FloatType, Graph, numel, type Tensor } from './graph';
import { serializeModel } from './onnx';
import { random } from './random';
import { type HostArray, hostTensor, openSession } from './session';

export interface CheckInput {
  shape: number[];
  /** float inputs are differentiated; int64/bool inputs are held fixed. */
  dtype?: DType;
  values?: number[];
}

export interface GradCheckResult {
  /** max |analytic − numeric| / (atol + |numeric|·rtol) over all elements: ≤ 1 passes. */
  worst: number;
  analytic: Float64Array[];
  numeric: Float64Array[];
}

function hostArray(dtype: DType, values: number[]): HostArray {
  if (dtype === 'float32') return Float32Array.from(values);
  if (dtype === 'float64') return Float64Array.from(values);
  if (dtype === 'int64') return BigInt64Array.from(values, (v) => BigInt(v));
  if (dtype === 'int32') return Int32Array.from(values);
  return Uint8Array.from(values);
}

export async function gradCheck(
  build: (g: Graph, inputs: Tensor[]) => Tensor,
  inputs: CheckInput[],
  options: { float?: FloatType; eps?: number; atol?: number; rtol?: number; seed?: number; paramScale?: number } = {},
): Promise<GradCheckResult> {
  const float = options.float ?? 'float64';
  const eps = options.eps ?? (float === 'float64' ? 1e-6 : 1e-2);
  const atol = options.atol ?? (float === 'float64' ? 1e-7 : 1e-3);
  const rtol = options.rtol ?? (float === 'float64' ? 1e-5 : 1e-2);
  const rand = random(options.seed ?? 1);

  const g = new Graph(float);
  const declared = inputs.map((inp, i) => g.input(`x${i}`, inp.dtype ?? float, inp.shape));
  const y = build(g, declared);
  const weights = g.constant(
    Array.from({ length: numel(y.shape) }, () => rand()),
    y.shape as number[],
  );
  const loss = y.rank === 0 ? y : g.reduceSum(g.mul(y, weights), [...Array(y.rank).keys()]);
  // Parameters the builder declared are differentiated too, fed like inputs.
  const tensors = [...declared, ...g.params.map((p) => p.tensor)];
  const forward = serializeModel(g, { inputs: tensors, outputs: [loss], initializers: g.constants });
  const wrt = tensors.filter((t) => g.isFloat(t));
  const grads = grad(g, loss, wrt);
  const backward = serializeModel(g, { inputs: tensors, outputs: grads, initializers: g.constants });

  const shapes = tensors.map((t) => t.shape as number[]);
  const values = tensors.map((t, i) =>
    hostArray(
      t.dtype,
      inputs[i]?.values ??
        Array.from({ length: numel(t.shape) }, () => rand() * (i < declared.length ? 1 : (options.paramScale ?? 0.5))),
    ),
  );
  const feeds = () =>
    Object.fromEntries(tensors.map((t, i) => [t.name, hostTensor(values[i] as HostArray, shapes[i] ?? [])]));
  const fwd = (await openSession(forward)).session;
  const bwd = (await openSession(backward)).session;
  const out = await bwd.run(feeds());
  const analytic = grads.map((t) => Float64Array.from(out[t.name]!.data as Float64Array));

  const evalLoss = async () => Number(((await fwd.run(feeds()))[loss.name]!.data as Float64Array)[0]);
  const numeric: Float64Array[] = [];
  let worst = 0;
  for (const [k, t] of wrt.entries()) {
    const v = values[tensors.indexOf(t)] as Float64Array;
    const num = new Float64Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const orig = v[i] as number;
      v[i] = orig + eps;
      const up = await evalLoss();
      v[i] = orig - eps;
      const down = await evalLoss();
      v[i] = orig;
      num[i] = (up - down) / (2 * eps);
      const a = analytic[k]?.[i] as number;
      worst = Math.max(worst, Math.abs(a - (num[i] as number)) / (atol + rtol * Math.abs(num[i] as number)));
    }
    numeric.push(num);
  }
  await fwd.release();
  await bwd.release();
  return { worst, analytic, numeric };
}

import { describe, expect, it } from 'vitest';
import { rules } from './autodiff';
import { type CheckInput, gradCheck } from './gradcheck';
import type { FloatType, Graph, Tensor } from './graph';

const tested = new Set<string>();

interface Case {
  op: string;
  name: string;
  inputs: CheckInput[];
  build: (g: Graph, x: Tensor[]) => Tensor;
  float?: FloatType;
  /** Finite-difference step and tolerances, where a case needs its own. */
  check?: { eps: number; atol: number; rtol: number };
}

const f = (shape: number[], values?: number[]): CheckInput => (values ? { shape, values } : { shape });
const positive = (shape: number[]): CheckInput => ({
  shape,
  values: Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => 0.5 + ((i * 0.37) % 1.5)),
});
const X = (x: Tensor[], i: number) => x[i] as Tensor;

const cases: Case[] = [
  { op: 'Add', name: 'broadcast row', inputs: [f([2, 3]), f([3])], build: (g, x) => g.add(X(x, 0), X(x, 1)) },
  { op: 'Add', name: 'broadcast both', inputs: [f([2, 1, 3]), f([4, 1])], build: (g, x) => g.add(X(x, 0), X(x, 1)) },
  {
    op: 'Add',
    name: 'same tensor twice',
    inputs: [f([2, 2])],
    build: (g, x) => g.mul(g.add(X(x, 0), X(x, 0)), X(x, 0)),
  },
  { op: 'Sub', name: 'broadcast column', inputs: [f([2, 3]), f([2, 1])], build: (g, x) => g.sub(X(x, 0), X(x, 1)) },
  { op: 'Mul', name: 'broadcast', inputs: [f([2, 3]), f([1, 3])], build: (g, x) => g.mul(X(x, 0), X(x, 1)) },
  { op: 'Mul', name: 'scalar', inputs: [f([2, 3]), f([])], build: (g, x) => g.mul(X(x, 0), X(x, 1)) },
  { op: 'Div', name: 'broadcast', inputs: [f([2, 3]), positive([3])], build: (g, x) => g.div(X(x, 0), X(x, 1)) },
  { op: 'Pow', name: 'constant exponent', inputs: [positive([2, 3])], build: (g, x) => g.pow(X(x, 0), g.scalar(3)) },
  { op: 'Max', name: 'broadcast', inputs: [f([2, 3]), f([3])], build: (g, x) => g.max(X(x, 0), X(x, 1)) },
  { op: 'Min', name: 'broadcast', inputs: [f([2, 3]), f([2, 1])], build: (g, x) => g.min(X(x, 0), X(x, 1)) },
  { op: 'Neg', name: '', inputs: [f([4])], build: (g, x) => g.neg(X(x, 0)) },
  { op: 'Exp', name: '', inputs: [f([2, 3])], build: (g, x) => g.exp(X(x, 0)) },
  { op: 'Log', name: '', inputs: [positive([2, 3])], build: (g, x) => g.log(X(x, 0)) },
  { op: 'Sqrt', name: '', inputs: [positive([2, 3])], build: (g, x) => g.sqrt(X(x, 0)) },
  { op: 'Tanh', name: '', inputs: [f([2, 3])], build: (g, x) => g.tanh(X(x, 0)) },
  { op: 'Identity', name: '', inputs: [f([3])], build: (g, x) => g.identity(X(x, 0)) },
  // ORT has float32-only Erf and Gelu kernels: checked in float32 with eps 1e-2, where the
  // central difference's truncation error (~eps²·f''' ≈ 1e-4) and float32 rounding of the
  // loss (~1e-7/eps ≈ 1e-5) both stay well inside rtol 1e-2, atol 1e-3.
  { op: 'Erf', name: 'float32', float: 'float32', inputs: [f([2, 3])], build: (g, x) => g.erf(X(x, 0)) },
  {
    op: 'Gelu',
    name: 'exact, float32',
    float: 'float32',
    inputs: [f([2, 4])],
    build: (g, x) => g.gelu(g.mul(X(x, 0), g.scalar(2, 'float32')), 'none'),
  },
  {
    op: 'Gelu',
    name: 'tanh, float32',
    float: 'float32',
    inputs: [f([2, 4])],
    build: (g, x) => g.gelu(g.mul(X(x, 0), g.scalar(2, 'float32')), 'tanh'),
  },
  { op: 'Gelu', name: 'float64 (primitives)', inputs: [f([2, 4])], build: (g, x) => g.gelu(X(x, 0)) },
  {
    op: 'Cast',
    name: 'float64 → float32 → float64',
    float: 'float64',
    // The float32 round trip perturbs the loss by ~1e-7 relative, so the step must be large.
    check: { eps: 1e-2, atol: 1e-3, rtol: 1e-3 },
    inputs: [f([3])],
    build: (g, x) => g.cast(g.exp(g.cast(X(x, 0), 'float32')), 'float64'),
  },
  { op: 'MatMul', name: '2-D', inputs: [f([2, 3]), f([3, 4])], build: (g, x) => g.matmul(X(x, 0), X(x, 1)) },
  {
    op: 'MatMul',
    name: 'batched × matrix (folded)',
    inputs: [f([2, 3, 4]), f([4, 5])],
    build: (g, x) => g.matmul(X(x, 0), X(x, 1)),
  },
  { op: 'MatMul', name: 'batched', inputs: [f([2, 2, 3]), f([2, 3, 4])], build: (g, x) => g.matmul(X(x, 0), X(x, 1)) },
  {
    op: 'MatMul',
    name: 'broadcast batch',
    inputs: [f([2, 1, 3, 4]), f([3, 4, 2])],
    build: (g, x) => g.matmul(X(x, 0), X(x, 1)),
  },
  {
    op: 'Gemm',
    name: 'plain, bias row',
    inputs: [f([2, 3]), f([3, 4]), f([4])],
    build: (g, x) => g.gemm(X(x, 0), X(x, 1), X(x, 2)),
  },
  {
    op: 'Gemm',
    name: 'transA, bias column',
    inputs: [f([3, 2]), f([3, 4]), f([2, 1])],
    build: (g, x) => g.gemm(X(x, 0), X(x, 1), X(x, 2), { a: true }),
  },
  {
    op: 'Gemm',
    name: 'transB',
    inputs: [f([2, 3]), f([4, 3])],
    build: (g, x) => g.gemm(X(x, 0), X(x, 1), null, { b: true }),
  },
  {
    op: 'Gemm',
    name: 'transA and transB',
    inputs: [f([3, 2]), f([4, 3])],
    build: (g, x) => g.gemm(X(x, 0), X(x, 1), null, { a: true, b: true }),
  },
  { op: 'Reshape', name: '', inputs: [f([2, 6])], build: (g, x) => g.reshape(X(x, 0), [3, -1]) },
  { op: 'Unsqueeze', name: '', inputs: [f([2, 3])], build: (g, x) => g.mul(g.unsqueeze(X(x, 0), [1]), X(x, 0)) },
  { op: 'Transpose', name: '', inputs: [f([2, 3, 4])], build: (g, x) => g.transpose(X(x, 0), [2, 0, 1]) },
  { op: 'Slice', name: 'two axes', inputs: [f([4, 5])], build: (g, x) => g.slice(X(x, 0), [1, -3], [3, 5], [0, 1]) },
  {
    op: 'Concat',
    name: '',
    inputs: [f([2, 3]), f([2, 1])],
    build: (g, x) => g.concat([X(x, 0), X(x, 1), X(x, 0)], 1),
  },
  {
    op: 'Split',
    name: 'one part unused',
    inputs: [f([2, 6])],
    build: (g, x) => {
      const [a, , c] = g.split(X(x, 0), [1, 2, 3], 1) as [Tensor, Tensor, Tensor];
      return g.concat([c, a], 1);
    },
  },
  { op: 'Expand', name: '', inputs: [f([3, 1])], build: (g, x) => g.expand(X(x, 0), [2, 3, 4]) },
  {
    op: 'Gather',
    name: 'embedding, repeated indices',
    inputs: [f([5, 3]), { shape: [2, 3], dtype: 'int64', values: [1, 4, 1, 0, 1, 3] }],
    build: (g, x) => g.gather(X(x, 0), X(x, 1)),
  },
  {
    op: 'GatherElements',
    name: 'last axis',
    inputs: [f([3, 4]), { shape: [3, 2], dtype: 'int64', values: [0, 3, 2, 2, 1, 0] }],
    build: (g, x) => g.gatherElements(X(x, 0), X(x, 1), -1),
  },
  {
    op: 'Where',
    name: 'broadcast',
    inputs: [f([2, 3]), f([3])],
    build: (g, x) => g.where(g.less(X(x, 0), g.scalar(0)), X(x, 0), X(x, 1)),
  },
  { op: 'Trilu', name: 'lower', inputs: [f([3, 3])], build: (g, x) => g.trilu(X(x, 0), false) },
  { op: 'Trilu', name: 'upper, k=1', inputs: [f([2, 3, 3])], build: (g, x) => g.trilu(X(x, 0), true, 1) },
  { op: 'Softmax', name: 'last axis', inputs: [f([2, 4])], build: (g, x) => g.softmax(X(x, 0)) },
  { op: 'Softmax', name: 'axis 0', inputs: [f([3, 2])], build: (g, x) => g.softmax(X(x, 0), 0) },
  { op: 'LogSoftmax', name: '', inputs: [f([2, 4])], build: (g, x) => g.logSoftmax(X(x, 0)) },
  {
    op: 'LayerNormalization',
    name: 'x, scale and bias',
    inputs: [f([2, 3, 5]), f([5]), f([5])],
    build: (g, x) => g.layerNorm(X(x, 0), X(x, 1), X(x, 2)),
  },
  { op: 'ReduceSum', name: 'keepdims', inputs: [f([2, 3, 4])], build: (g, x) => g.reduceSum(X(x, 0), [0, 2], true) },
  { op: 'ReduceSum', name: 'dropped', inputs: [f([2, 3, 4])], build: (g, x) => g.reduceSum(X(x, 0), [1]) },
  { op: 'ReduceMean', name: '', inputs: [f([2, 3, 4])], build: (g, x) => g.reduceMean(X(x, 0), [-1]) },
  { op: 'ReduceMax', name: 'distinct values', inputs: [f([3, 4])], build: (g, x) => g.reduceMax(X(x, 0), [1], true) },
];

describe('gradient rules agree with central finite differences', () => {
  for (const c of cases) {
    tested.add(c.op);
    it(`${c.op}${c.name ? ` (${c.name})` : ''}`, async () => {
      const r = await gradCheck(c.build, c.inputs, { ...(c.float ? { float: c.float } : {}), ...c.check });
      const scale = Math.max(...r.numeric.map((n) => Math.max(...Array.from(n, Math.abs))));
      expect(scale).toBeGreaterThan(1e-3); // a vanishing gradient would pass vacuously
      expect(r.worst).toBeLessThanOrEqual(1);
    });
  }

  it('every gradient rule has a case above', () => {
    expect(Object.keys(rules).filter((op) => !tested.has(op))).toEqual([]);
  });

  it('a wrong rule is caught', async () => {
    const original = rules.Exp;
    rules.Exp = (g, n, [dy]) => [dy ? g.mul(dy, g.mul(n.outputs[0] as Tensor, g.scalar(1.01))) : null];
    try {
      const r = await gradCheck((g, x) => g.exp(X(x, 0)), [f([3])]);
      expect(r.worst).toBeGreaterThan(1);
    } finally {
      if (original) rules.Exp = original;
    }
  });
});

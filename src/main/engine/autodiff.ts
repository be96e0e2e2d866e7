// Reverse-mode autodiff over a Graph: appends the gradient nodes (standard ONNX ops only)
// to the same graph, so one model computes loss, gradients and the update.
import { GELU_CUBIC, GELU_SCALE, type Graph, type Node, type Shape, type Tensor } from './graph';

interface NodeView {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly attrs: Node['attrs'];
}

type Grads = (Tensor | null)[];
/** Given the output gradients (null where an output does not reach the loss), the input gradients. */
type Rule = (g: Graph, node: NodeView, dys: readonly (Tensor | null)[], needs: readonly boolean[]) => Grads;

/** Sums `dy` over the axes along which an operand of shape `target` was broadcast. */
export function unbroadcast(g: Graph, dy: Tensor, target: Shape): Tensor {
  const lead = dy.rank - target.length;
  const inner: number[] = [];
  target.forEach((d, j) => {
    if (d === 1 && dy.shape[lead + j] !== 1) inner.push(lead + j);
  });
  let r = inner.length ? g.reduceSum(dy, inner, true) : dy;
  if (lead > 0) r = g.reduceSum(r, [...Array(lead).keys()], false);
  return r;
}

const swapLast = (rank: number): number[] => [...Array(rank - 2).keys(), rank - 1, rank - 2];

function attrInt(node: NodeView, name: string, fallback: number): number {
  const v = node.attrs[name];
  return typeof v === 'number' ? v : fallback;
}

function elementwise(fn: (g: Graph, x: Tensor, y: Tensor, dy: Tensor) => Tensor): Rule {
  return (g, n, [dy]) => [dy ? fn(g, n.inputs[0] as Tensor, n.outputs[0] as Tensor, dy) : null];
}

function reduceRule(kind: 'sum' | 'mean' | 'max'): Rule {
  return (g, n, [dy]) => {
    if (!dy) return [null];
    const [x, axesT] = n.inputs as [Tensor, Tensor];
    const axes = g.constantValues(axesT);
    const dyk = attrInt(n, 'keepdims', 1) ? dy : g.unsqueeze(dy, axes);
    if (kind === 'sum') return [g.expandLike(dyk, x)];
    if (kind === 'mean') {
      const count = axes.reduce((c, a) => c * (x.shape[a] as number), 1);
      return [g.expandLike(g.div(dyk, g.scalar(count, dy.dtype)), x)];
    }
    // Max: the gradient is shared equally among tied maxima.
    const y = n.outputs[0] as Tensor;
    const yk = attrInt(n, 'keepdims', 1) ? y : g.unsqueeze(y, axes);
    const mask = g.cast(g.equal(x, yk), x.dtype);
    return [g.mul(mask, g.div(dyk, g.reduceSum(mask, axes, true)))];
  };
}

/** Elementwise Max/Min: the gradient goes to the selected operand (the first one on ties). */
function minMax(kind: 'max' | 'min'): Rule {
  return (g, n, [dy], needs) => {
    if (!dy) return [null, null];
    const [a, b] = n.inputs as [Tensor, Tensor];
    const zero = g.scalar(0, dy.dtype);
    const bWins = kind === 'max' ? g.less(a, b) : g.less(b, a);
    return [
      needs[0] ? unbroadcast(g, g.where(bWins, zero, dy), a.shape) : null,
      needs[1] ? unbroadcast(g, g.where(bWins, dy, zero), b.shape) : null,
    ];
  };
}

export const rules: Record<string, Rule> = {
  Identity: elementwise((_g, _x, _y, dy) => dy),
  Add: (g, n, [dy]) => {
    const [a, b] = n.inputs as [Tensor, Tensor];
    return dy ? [unbroadcast(g, dy, a.shape), unbroadcast(g, dy, b.shape)] : [null, null];
  },
  Sub: (g, n, [dy], needs) => {
    const [a, b] = n.inputs as [Tensor, Tensor];
    if (!dy) return [null, null];
    return [unbroadcast(g, dy, a.shape), needs[1] ? unbroadcast(g, g.neg(dy), b.shape) : null];
  },
  Mul: (g, n, [dy], needs) => {
    const [a, b] = n.inputs as [Tensor, Tensor];
    if (!dy) return [null, null];
    return [
      needs[0] ? unbroadcast(g, g.mul(dy, b), a.shape) : null,
      needs[1] ? unbroadcast(g, g.mul(dy, a), b.shape) : null,
    ];
  },
  Div: (g, n, [dy], needs) => {
    const [a, b] = n.inputs as [Tensor, Tensor];
    const y = n.outputs[0] as Tensor;
    if (!dy) return [null, null];
    const da = needs[0] || needs[1] ? g.div(dy, b) : null;
    return [
      da && needs[0] ? unbroadcast(g, da, a.shape) : null,
      da && needs[1] ? unbroadcast(g, g.neg(g.mul(da, y)), b.shape) : null,
    ];
  },
  Pow: (g, n, [dy]) => {
    const [x, p] = n.inputs as [Tensor, Tensor];
    if (!dy) return [null, null];
    const dx = g.mul(dy, g.mul(p, g.pow(x, g.sub(p, g.scalar(1, p.dtype)))));
    return [unbroadcast(g, dx, x.shape), null];
  },
  Max: minMax('max'),
  Min: minMax('min'),
  Neg: elementwise((g, _x, _y, dy) => g.neg(dy)),
  Exp: elementwise((g, _x, y, dy) => g.mul(dy, y)),
  Log: elementwise((g, x, _y, dy) => g.div(dy, x)),
  Sqrt: elementwise((g, _x, y, dy) => g.div(dy, g.mul(g.scalar(2, y.dtype), y))),
  Tanh: elementwise((g, _x, y, dy) => g.mul(dy, g.sub(g.scalar(1, y.dtype), g.mul(y, y)))),
  Erf: elementwise((g, x, _y, dy) =>
    g.mul(dy, g.mul(g.scalar(2 / Math.sqrt(Math.PI), x.dtype), g.exp(g.neg(g.mul(x, x))))),
  ),
  Gelu: (g, n, [dy]) => {
    if (!dy) return [null];
    const x = n.inputs[0] as Tensor;
    const s = (v: number) => g.scalar(v, x.dtype);
    if (n.attrs.approximate === 'tanh') {
      // y = ½x(1+t), t = tanh(c(x+ax³)):  y' = ½(1+t) + ½x(1-t²)·c(1+3ax²)
      const x2 = g.mul(x, x);
      const t = g.tanh(g.mul(g.add(x, g.mul(s(GELU_CUBIC), g.mul(x2, x))), s(GELU_SCALE)));
      const du = g.mul(s(GELU_SCALE), g.add(s(1), g.mul(s(3 * GELU_CUBIC), x2)));
      const left = g.mul(s(0.5), g.add(s(1), t));
      const right = g.mul(g.mul(s(0.5), x), g.mul(g.sub(s(1), g.mul(t, t)), du));
      return [g.mul(dy, g.add(left, right))];
    }
    // y = xΦ(x):  y' = Φ(x) + xφ(x)
    const cdf = g.mul(s(0.5), g.add(s(1), g.erf(g.mul(x, s(Math.SQRT1_2)))));
    const pdf = g.mul(s(1 / Math.sqrt(2 * Math.PI)), g.exp(g.mul(s(-0.5), g.mul(x, x))));
    return [g.mul(dy, g.add(cdf, g.mul(x, pdf)))];
  },
  Cast: (g, n, [dy]) => {
    const x = n.inputs[0] as Tensor;
    return [dy && g.isFloat(x) ? g.cast(dy, x.dtype) : null];
  },
  MatMul: (g, n, [dy], needs) => {
    if (!dy) return [null, null];
    const [a, b] = n.inputs as [Tensor, Tensor];
    const da = needs[0] ? unbroadcast(g, g.matmul(dy, g.transpose(b, swapLast(b.rank))), a.shape) : null;
    let db: Tensor | null = null;
    if (needs[1]) {
      if (b.rank === 2 && a.rank > 2) {
        // Fold the batch into rows: one [K, rows] × [rows, N] product instead of a batched one plus a sum.
        const k = a.shape[a.rank - 1] as number;
        const cols = b.shape[1] as number;
        const a2 = g.reshape(a, [-1, k]);
        db = g.matmul(g.transpose(a2, [1, 0]), g.reshape(dy, [-1, cols]));
      } else db = unbroadcast(g, g.matmul(g.transpose(a, swapLast(a.rank)), dy), b.shape);
    }
    return [da, db];
  },
  Gemm: (g, n, [dy], needs) => {
    const [a, b, c] = n.inputs as [Tensor, Tensor, Tensor | undefined];
    if (!dy) return [null, null, null];
    const ta = n.attrs.transA === 1;
    const tb = n.attrs.transB === 1;
    // Y = op(A)·op(B); each case's gradients are themselves Gemms with transpose flags.
    const da = !needs[0] ? null : ta ? g.gemm(b, dy, null, { a: tb, b: true }) : g.gemm(dy, b, null, { b: !tb });
    const db = !needs[1] ? null : tb ? g.gemm(dy, a, null, { a: true, b: ta }) : g.gemm(a, dy, null, { a: !ta });
    return [da, db, c && needs[2] ? unbroadcast(g, dy, c.shape) : null];
  },
  Reshape: (g, n, [dy]) => [dy ? g.reshapeLike(dy, n.inputs[0] as Tensor) : null, null],
  Unsqueeze: (g, n, [dy]) => [dy ? g.reshapeLike(dy, n.inputs[0] as Tensor) : null, null],
  Transpose: (g, n, [dy]) => {
    if (!dy) return [null];
    const perm = n.attrs.perm as readonly number[];
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [g.transpose(dy, inverse)];
  },
  Slice: (g, n, [dy]) => {
    if (!dy) return [null];
    const [x, startsT, endsT, axesT] = n.inputs as [Tensor, Tensor, Tensor, Tensor];
    const [starts, ends, axes] = [startsT, endsT, axesT].map((t) => g.constantValues(t)) as [
      number[],
      number[],
      number[],
    ];
    const pads = new Array<number>(2 * x.rank).fill(0);
    axes.forEach((axis, i) => {
      const a = axis < 0 ? axis + x.rank : axis;
      const size = x.shape[a] as number;
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
      pads[a] = clamp(starts[i] as number);
      pads[a + x.rank] = size - clamp(ends[i] as number);
    });
    return [g.pad(dy, pads)];
  },
  Concat: (g, n, [dy]) => {
    if (!dy) return n.inputs.map(() => null);
    const axis = n.attrs.axis as number;
    let start = 0;
    return n.inputs.map((x) => {
      const size = x.shape[axis] as number;
      const part = g.slice(dy, [start], [start + size], [axis]);
      start += size;
      return part;
    });
  },
  Split: (g, n, dys) => {
    // Parts that do not reach the loss contribute zeros.
    const parts = dys.map((dy, i) => dy ?? g.fillLike(0, n.outputs[i] as Tensor));
    return [g.concat(parts, n.attrs.axis as number), null];
  },
  Expand: (g, n, [dy]) => [dy ? unbroadcast(g, dy, (n.inputs[0] as Tensor).shape) : null, null],
  Gather: (g, n, [dy]) => {
    if (!dy) return [null, null];
    const [data, indices] = n.inputs as [Tensor, Tensor];
    if (n.attrs.axis !== 0) throw new Error('autodiff: Gather is differentiable along axis 0 only');
    const zeros = g.fillLike(0, data);
    return [g.scatterNDAdd(zeros, g.unsqueeze(indices, [-1]), dy), null];
  },
  GatherElements: (g, n, [dy]) => {
    if (!dy) return [null, null];
    const [data, indices] = n.inputs as [Tensor, Tensor];
    return [g.scatterElementsAdd(g.fillLike(0, data), indices, dy, n.attrs.axis as number), null];
  },
  Where: (g, n, [dy], needs) => {
    if (!dy) return [null, null, null];
    const [cond, a, b] = n.inputs as [Tensor, Tensor, Tensor];
    const zero = g.scalar(0, dy.dtype);
    return [
      null,
      needs[1] ? unbroadcast(g, g.where(cond, dy, zero), a.shape) : null,
      needs[2] ? unbroadcast(g, g.where(cond, zero, dy), b.shape) : null,
    ];
  },
  Trilu: (g, n, [dy]) => {
    if (!dy) return [null, null];
    const k = g.constantValues(n.inputs[1] as Tensor)[0] as number;
    return [g.trilu(dy, attrInt(n, 'upper', 1) === 1, k), null];
  },
  Softmax: (g, n, [dy]) => {
    if (!dy) return [null];
    const y = n.outputs[0] as Tensor;
    const axis = n.attrs.axis as number;
    return [g.mul(y, g.sub(dy, g.reduceSum(g.mul(dy, y), [axis], true)))];
  },
  LogSoftmax: (g, n, [dy]) => {
    if (!dy) return [null];
    const y = n.outputs[0] as Tensor;
    const axis = n.attrs.axis as number;
    return [g.sub(dy, g.mul(g.exp(y), g.reduceSum(dy, [axis], true)))];
  },
  LayerNormalization: (g, n, [dy], needs) => {
    if (!dy) return [null, null, null];
    const [x, scale, bias] = n.inputs as [Tensor, Tensor, Tensor];
    let [, mean, invStd] = n.outputs as [Tensor, Tensor, Tensor];
    if (x.dtype === 'float64') {
      // The stashed statistics are float32; recompute them so float64 gradients stay exact.
      mean = g.reduceMean(x, [-1], true);
      const centred = g.sub(x, mean);
      const eps = (n.attrs.epsilon as { float: number }).float;
      const variance = g.reduceMean(g.mul(centred, centred), [-1], true);
      invStd = g.div(g.scalar(1, x.dtype), g.sqrt(g.add(variance, g.scalar(Math.fround(eps), x.dtype))));
    }
    const xhat = g.mul(g.sub(x, mean), invStd);
    let dx: Tensor | null = null;
    if (needs[0]) {
      // dx = σ⁻¹ (ĝ − mean(ĝ) − x̂·mean(ĝ x̂)),  ĝ = dy·scale
      const gs = g.mul(dy, scale);
      const centred = g.sub(gs, g.reduceMean(gs, [-1], true));
      dx = g.mul(invStd, g.sub(centred, g.mul(xhat, g.reduceMean(g.mul(gs, xhat), [-1], true))));
    }
    return [
      dx,
      needs[1] ? unbroadcast(g, g.mul(dy, xhat), scale.shape) : null,
      needs[2] ? unbroadcast(g, dy, bias.shape) : null,
    ];
  },
  ReduceSum: reduceRule('sum'),
  ReduceMean: reduceRule('mean'),
  ReduceMax: reduceRule('max'),
};

/** Ops whose outputs carry no gradient (indices, comparisons, shapes). */
const NON_DIFFERENTIABLE = new Set(['ArgMax', 'TopK', 'Shape', 'Equal', 'Less', 'ConstantOfShape']);

/**
 * Appends d`loss`/d`wrt` to the graph (loss must be a scalar unless `seed` is given).
 * Only nodes on a path from `wrt` to `loss` are differentiated.
 */
export function grad(g: Graph, loss: Tensor, wrt: readonly Tensor[], seed?: Tensor): Tensor[] {
  const forwardEnd = g.nodes.length;
  const live = new Set(wrt.map((t) => t.name));
  for (let i = 0; i < forwardEnd; i++) {
    const node = g.nodes[i] as Node;
    if (node.inputs.some((x) => live.has(x)) && !NON_DIFFERENTIABLE.has(node.op)) {
      for (const o of node.outputs) live.add(o);
    }
  }
  if (!live.has(loss.name)) throw new Error(`loss ${loss.name} does not depend on the differentiated tensors`);
  if (!seed && loss.rank !== 0) throw new Error('grad: loss must be a scalar (or pass a seed)');

  const pending = new Map<string, Tensor[]>([[loss.name, [seed ?? g.scalar(1, loss.dtype)]]]);
  const total = (name: string): Tensor | null => {
    const parts = pending.get(name);
    if (!parts?.length) return null;
    const sum = parts.reduce((acc, t) => g.add(acc, t));
    pending.set(name, [sum]);
    return sum;
  };

  for (let i = forwardEnd - 1; i >= 0; i--) {
    const node = g.nodes[i] as Node;
    if (!node.outputs.some((o) => pending.has(o))) continue;
    const needs = node.inputs.map((x) => x !== '' && live.has(x));
    if (!needs.some(Boolean)) continue;
    const rule = rules[node.op];
    if (!rule) throw new Error(`autodiff: no gradient rule for ${node.op}`);
    const view: NodeView = {
      inputs: node.inputs.map((x) => g.tensor(x)),
      outputs: node.outputs.map((o) => g.tensor(o)),
      attrs: node.attrs,
    };
    const dxs = rule(
      g,
      view,
      node.outputs.map((o) => total(o)),
      needs,
    );
    dxs.forEach((dx, j) => {
      const name = node.inputs[j] as string;
      if (!dx || !needs[j]) return;
      const parts = pending.get(name) ?? [];
      parts.push(dx);
      pending.set(name, parts);
    });
  }
  return wrt.map((t) => total(t.name) ?? g.fillLike(0, t));
}

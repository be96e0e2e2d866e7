// Symbolic tensors and the ops a decoder transformer, its loss and its gradients need.
// Every op records one ONNX node and infers its output shape here, so mistakes surface
// at build time with a readable message rather than inside ORT.
export type DType = 'float32' | 'float64' | 'int64' | 'int32' | 'bool';

/** A constant tensor stored in the graph (a weight, or a tensor attribute's value). */
export interface Initializer {
  name: string;
  dtype: DType;
  dims: readonly number[];
  data: ArrayBufferView;
}
export type FloatType = 'float32' | 'float64';
/** A static size or a named (symbolic) dimension such as 'batch'. */
export type Dim = number | string;
export type Shape = readonly Dim[];
/** ONNX attribute: integer, string, integer list, float, or tensor. */
export type Attr = number | string | readonly number[] | { readonly float: number } | { readonly tensor: Initializer };

export interface Node {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, Attr>>;
}

export class Tensor {
  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly dtype: DType,
    readonly shape: Shape,
  ) {}

  get rank(): number {
    return this.shape.length;
  }
}

export type ParamInit =
  | { kind: 'normal'; std: number }
  | { kind: 'zeros' }
  | { kind: 'ones' }
  | { kind: 'values'; values: Float32Array | Float64Array };

export interface Param {
  readonly tensor: Tensor;
  readonly init: ParamInit;
  /** AdamW's decoupled weight decay applies (matrices yes; norms and biases no). */
  readonly decay: boolean;
}

export const GELU_CUBIC = 0.044715;
export const GELU_SCALE = Math.sqrt(2 / Math.PI);

const isFloat = (t: DType): t is FloatType => t === 'float32' || t === 'float64';

function normAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) throw new Error(`axis ${axis} out of range for rank ${rank}`);
  return a;
}

export function shapeToString(s: Shape): string {
  return `[${s.join(', ')}]`;
}

/** Numpy broadcasting; named dims broadcast against 1 and match only themselves. */
export function broadcastShapes(a: Shape, b: Shape): Dim[] {
  const rank = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da === db || db === 1) out.push(da);
    else if (da === 1) out.push(db);
    else throw new Error(`shapes ${shapeToString(a)} and ${shapeToString(b)} do not broadcast`);
  }
  return out;
}

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number') throw new Error(`shape ${shapeToString(shape)} is not static`);
    n *= d;
  }
  return n;
}

export function staticShape(shape: Shape): number[] {
  numel(shape);
  return shape as number[];
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: Tensor[] = [];
  readonly params: Param[] = [];
  readonly constants: Initializer[] = [];
  private readonly tensors = new Map<string, Tensor>();
  private counter = 0;

  /** `float` is the dtype of parameters and of float constants (float64 for gradient checks). */
  constructor(readonly float: FloatType = 'float32') {}

  tensor(name: string): Tensor {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`unknown tensor ${name}`);
    return t;
  }

  private fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  private register(name: string, dtype: DType, shape: Shape): Tensor {
    if (this.tensors.has(name)) throw new Error(`tensor name ${name} already used`);
    const t = new Tensor(this, name, dtype, shape);
    this.tensors.set(name, t);
    return t;
  }

  private own(t: Tensor): Tensor {
    if (t.graph !== this) throw new Error(`tensor ${t.name} belongs to another graph`);
    return t;
  }

  input(name: string, dtype: DType, shape: Shape): Tensor {
    const t = this.register(name, dtype, shape);
    this.inputs.push(t);
    return t;
  }

  param(name: string, shape: readonly number[], init: ParamInit, decay = shape.length >= 2): Tensor {
    const t = this.register(name, this.float, shape);
    this.params.push({ tensor: t, init, decay });
    return t;
  }

  constant(values: ArrayLike<number> | ArrayLike<bigint>, shape: readonly number[], dtype: DType = this.float): Tensor {
    const name = this.fresh('const');
    const data = toTyped(values, dtype);
    if (data.length !== numel(shape)) throw new Error(`constant has ${data.length} values for ${shapeToString(shape)}`);
    this.constants.push({ name, dtype, dims: shape, data });
    return this.register(name, dtype, shape);
  }

  scalar(value: number, dtype: DType = this.float): Tensor {
    return this.constant([value], [], dtype);
  }

  ints(values: readonly number[]): Tensor {
    return this.constant(values, [values.length], 'int64');
  }

  /** Records a node; `outs` gives each output's dtype and shape. */
  op(op: string, inputs: readonly (Tensor | null)[], attrs: Record<string, Attr>, outs: [DType, Shape][]): Tensor[] {
    const outputs = outs.map(([dtype, shape]) => this.register(this.fresh(op.toLowerCase()), dtype, shape));
    this.nodes.push({
      op,
      inputs: inputs.map((t) => (t ? this.own(t).name : '')),
      outputs: outputs.map((t) => t.name),
      attrs,
    });
    return outputs;
  }

  private op1(op: string, inputs: readonly (Tensor | null)[], attrs: Record<string, Attr>, dtype: DType, shape: Shape) {
    return this.op(op, inputs, attrs, [[dtype, shape]])[0] as Tensor;
  }

  /** An Identity copy of `t` under a chosen name, e.g. for a model's output. */
  named(t: Tensor, name: string): Tensor {
    const out = this.register(name, t.dtype, t.shape);
    this.nodes.push({ op: 'Identity', inputs: [this.own(t).name], outputs: [name], attrs: {} });
    return out;
  }

  // --- elementwise ---------------------------------------------------------------------

  private binary(op: string, a: Tensor, b: Tensor, dtype: DType = a.dtype): Tensor {
    if (a.dtype !== b.dtype) throw new Error(`${op}: dtypes ${a.dtype} and ${b.dtype} differ`);
    return this.op1(op, [a, b], {}, dtype, broadcastShapes(a.shape, b.shape));
  }
  add(a: Tensor, b: Tensor): Tensor {
    return this.binary('Add', a, b);
  }
  sub(a: Tensor, b: Tensor): Tensor {
    return this.binary('Sub', a, b);
  }
  mul(a: Tensor, b: Tensor): Tensor {
    return this.binary('Mul', a, b);
  }
  div(a: Tensor, b: Tensor): Tensor {
    return this.binary('Div', a, b);
  }
  /** Exponent is treated as a constant by autodiff. */
  pow(a: Tensor, b: Tensor): Tensor {
    return this.binary('Pow', a, b);
  }
  min(a: Tensor, b: Tensor): Tensor {
    return this.binary('Min', a, b);
  }
  max(a: Tensor, b: Tensor): Tensor {
    return this.binary('Max', a, b);
  }
  equal(a: Tensor, b: Tensor): Tensor {
    return this.binary('Equal', a, b, 'bool');
  }
  less(a: Tensor, b: Tensor): Tensor {
    return this.binary('Less', a, b, 'bool');
  }
  where(cond: Tensor, a: Tensor, b: Tensor): Tensor {
    if (cond.dtype !== 'bool') throw new Error('where: condition must be bool');
    if (a.dtype !== b.dtype) throw new Error(`where: dtypes ${a.dtype} and ${b.dtype} differ`);
    return this.op1('Where', [cond, a, b], {}, a.dtype, broadcastShapes(cond.shape, broadcastShapes(a.shape, b.shape)));
  }
  private unary(op: string, x: Tensor, attrs: Record<string, Attr> = {}): Tensor {
    return this.op1(op, [x], attrs, x.dtype, x.shape);
  }
  neg(x: Tensor): Tensor {
    return this.unary('Neg', x);
  }
  exp(x: Tensor): Tensor {
    return this.unary('Exp', x);
  }
  log(x: Tensor): Tensor {
    return this.unary('Log', x);
  }
  sqrt(x: Tensor): Tensor {
    return this.unary('Sqrt', x);
  }
  tanh(x: Tensor): Tensor {
    return this.unary('Tanh', x);
  }
  erf(x: Tensor): Tensor {
    return this.unary('Erf', x);
  }
  /**
   * GELU, ONNX opset 20. ORT's CPU provider has no double Gelu/Erf kernels, so float64 graphs
   * (used for gradient checks) spell the tanh form out in primitives; the exact form is float32 only.
   */
  gelu(x: Tensor, approximate: 'none' | 'tanh' = 'tanh'): Tensor {
    if (x.dtype !== 'float64') return this.unary('Gelu', x, { approximate });
    if (approximate === 'none') throw new Error('gelu: exact (erf) GELU has no float64 kernel in ORT; use tanh');
    const inner = this.mul(
      this.add(x, this.mul(this.scalar(GELU_CUBIC, x.dtype), this.mul(x, this.mul(x, x)))),
      this.scalar(GELU_SCALE, x.dtype),
    );
    return this.mul(this.mul(this.scalar(0.5, x.dtype), x), this.add(this.scalar(1, x.dtype), this.tanh(inner)));
  }
  identity(x: Tensor): Tensor {
    return this.unary('Identity', x);
  }
  cast(x: Tensor, to: DType): Tensor {
    return this.op1('Cast', [x], { to: DATA_TYPE_CODE[to] }, to, x.shape);
  }

  // --- linear algebra --------------------------------------------------------------------

  matmul(a: Tensor, b: Tensor): Tensor {
    if (a.rank < 2 || b.rank < 2) throw new Error('matmul: both operands need rank >= 2');
    if (a.dtype !== b.dtype) throw new Error(`matmul: dtypes ${a.dtype} and ${b.dtype} differ`);
    const k1 = a.shape[a.rank - 1];
    const k2 = b.shape[b.rank - 2];
    if (k1 !== k2) throw new Error(`matmul: inner dims differ, ${shapeToString(a.shape)} × ${shapeToString(b.shape)}`);
    const batch = broadcastShapes(a.shape.slice(0, -2), b.shape.slice(0, -2));
    return this.op1('MatMul', [a, b], {}, a.dtype, [...batch, a.shape[a.rank - 2] as Dim, b.shape[b.rank - 1] as Dim]);
  }

  /** 2-D Gemm: op(a)·op(b) (+ c, broadcast), op = transpose where asked. */
  gemm(a: Tensor, b: Tensor, c: Tensor | null = null, trans: { a?: boolean; b?: boolean } = {}): Tensor {
    if (a.rank !== 2 || b.rank !== 2) throw new Error('gemm: operands must be 2-D');
    const [m, ka] = trans.a ? [a.shape[1], a.shape[0]] : [a.shape[0], a.shape[1]];
    const [kb, n] = trans.b ? [b.shape[1], b.shape[0]] : [b.shape[0], b.shape[1]];
    if (ka !== kb) throw new Error(`gemm: inner dims differ, ${shapeToString(a.shape)} × ${shapeToString(b.shape)}`);
    const shape = [m as Dim, n as Dim];
    if (c) broadcastShapes(shape, c.shape);
    return this.op1(
      'Gemm',
      c ? [a, b, c] : [a, b],
      { transA: trans.a ? 1 : 0, transB: trans.b ? 1 : 0 },
      a.dtype,
      shape,
    );
  }

  // --- shape ---------------------------------------------------------------------------

  /** `shape` may hold 0 (copy the input dim) and one -1 (inferred), as in ONNX. */
  reshape(x: Tensor, shape: readonly number[]): Tensor {
    const out: Dim[] = shape.map((d, i) => (d === 0 ? (x.shape[i] as Dim) : d));
    const unknown = out.indexOf(-1);
    if (unknown >= 0) {
      const known = out.filter((_, i) => i !== unknown);
      if (x.shape.every((d) => typeof d === 'number') && known.every((d) => typeof d === 'number')) {
        out[unknown] = numel(x.shape) / numel(known);
      } else out[unknown] = this.fresh('dim');
    } else if (x.shape.every((d) => typeof d === 'number') && numel(out) !== numel(x.shape)) {
      throw new Error(`reshape: ${shapeToString(x.shape)} cannot become ${shapeToString(shape)}`);
    }
    return this.op1('Reshape', [x, this.ints(shape)], {}, x.dtype, out);
  }

  /** Reshape to the (runtime) shape of `like`, for named dimensions. */
  reshapeLike(x: Tensor, like: Tensor): Tensor {
    if (like.shape.every((d) => typeof d === 'number')) return this.reshape(x, like.shape as number[]);
    return this.op1('Reshape', [x, this.shapeOf(like)], {}, x.dtype, like.shape);
  }

  shapeOf(x: Tensor): Tensor {
    return this.op1('Shape', [x], {}, 'int64', [x.rank]);
  }

  transpose(x: Tensor, perm: readonly number[]): Tensor {
    if (perm.length !== x.rank) throw new Error(`transpose: perm ${perm} for rank ${x.rank}`);
    return this.op1(
      'Transpose',
      [x],
      { perm },
      x.dtype,
      perm.map((p) => x.shape[p] as Dim),
    );
  }

  /** Static slice with step 1 along `axes`. */
  slice(x: Tensor, starts: readonly number[], ends: readonly number[], axes: readonly number[]): Tensor {
    const shape = [...x.shape];
    axes.forEach((axis, i) => {
      const a = normAxis(axis, x.rank);
      const size = shape[a];
      if (typeof size !== 'number') throw new Error('slice: sliced axes must be static');
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + size : v, 0), size);
      shape[a] = Math.max(clamp(ends[i] as number) - clamp(starts[i] as number), 0);
    });
    return this.op1('Slice', [x, this.ints(starts), this.ints(ends), this.ints(axes)], {}, x.dtype, shape);
  }

  concat(xs: readonly Tensor[], axis: number): Tensor {
    const first = xs[0];
    if (!first) throw new Error('concat: no inputs');
    const a = normAxis(axis, first.rank);
    let size = 0;
    for (const x of xs) {
      const d = x.shape[a];
      if (typeof d !== 'number') throw new Error('concat: the concat axis must be static');
      size += d;
    }
    const shape = [...first.shape];
    shape[a] = size;
    return this.op1('Concat', xs, { axis: a }, first.dtype, shape);
  }

  /** Splits along `axis` into parts of the given (static) sizes. */
  split(x: Tensor, sizes: readonly number[], axis: number): Tensor[] {
    const a = normAxis(axis, x.rank);
    if (sizes.reduce((s, v) => s + v, 0) !== x.shape[a]) {
      throw new Error(`split: sizes ${sizes} do not add up to dim ${a} of ${shapeToString(x.shape)}`);
    }
    const outs = sizes.map((size): [DType, Shape] => [x.dtype, x.shape.map((d, i) => (i === a ? size : d))]);
    return this.op('Split', [x, this.ints(sizes)], { axis: a }, outs);
  }

  unsqueeze(x: Tensor, axes: readonly number[]): Tensor {
    const rank = x.rank + axes.length;
    const norm = axes.map((a) => normAxis(a, rank));
    const shape: Dim[] = [];
    let j = 0;
    for (let i = 0; i < rank; i++) shape.push(norm.includes(i) ? 1 : (x.shape[j++] as Dim));
    return this.op1('Unsqueeze', [x, this.ints(norm)], {}, x.dtype, shape);
  }

  expand(x: Tensor, shape: readonly number[]): Tensor {
    return this.op1('Expand', [x, this.ints(shape)], {}, x.dtype, broadcastShapes(x.shape, shape));
  }

  /** Broadcasts `x` to the (runtime) shape of `like`. */
  expandLike(x: Tensor, like: Tensor): Tensor {
    if (like.shape.every((d) => typeof d === 'number')) return this.expand(x, like.shape as number[]);
    return this.op1('Expand', [x, this.shapeOf(like)], {}, x.dtype, broadcastShapes(x.shape, like.shape));
  }

  /** Values of a constant (e.g. a Slice's starts), for gradient rules that need them statically. */
  constantValues(t: Tensor): number[] {
    const c = this.constants.find((k) => k.name === t.name);
    if (!c) throw new Error(`${t.name} is not a constant`);
    return Array.from(c.data as unknown as ArrayLike<number | bigint>, Number);
  }

  gather(data: Tensor, indices: Tensor, axis = 0): Tensor {
    const a = normAxis(axis, data.rank);
    return this.op1('Gather', [data, indices], { axis: a }, data.dtype, [
      ...data.shape.slice(0, a),
      ...indices.shape,
      ...data.shape.slice(a + 1),
    ]);
  }

  gatherElements(data: Tensor, indices: Tensor, axis: number): Tensor {
    return this.op1('GatherElements', [data, indices], { axis: normAxis(axis, data.rank) }, data.dtype, indices.shape);
  }

  scatterElementsAdd(data: Tensor, indices: Tensor, updates: Tensor, axis: number): Tensor {
    const attrs = { axis: normAxis(axis, data.rank), reduction: 'add' };
    return this.op1('ScatterElements', [data, indices, updates], attrs, data.dtype, data.shape);
  }

  scatterNDAdd(data: Tensor, indices: Tensor, updates: Tensor): Tensor {
    return this.op1('ScatterND', [data, indices, updates], { reduction: 'add' }, data.dtype, data.shape);
  }

  /** Zero-pads by `pads` = [begin_0 … begin_n, end_0 … end_n] (static). */
  pad(x: Tensor, pads: readonly number[]): Tensor {
    const shape = x.shape.map((d, i) =>
      typeof d === 'number' ? d + (pads[i] as number) + (pads[i + x.rank] as number) : d,
    );
    return this.op1('Pad', [x, this.ints(pads)], { mode: 'constant' }, x.dtype, shape);
  }

  /** A tensor of `value` with the static shape `shape`, or the runtime shape of `like`. */
  fill(value: number, shape: Shape, dtype: DType = this.float): Tensor {
    const valueAttr = { tensor: { name: '', dtype, dims: [1], data: toTyped([value], dtype) } };
    const shapeTensor = shape.every((d) => typeof d === 'number') ? this.ints(shape as number[]) : null;
    if (!shapeTensor) throw new Error('fill: use fillLike for named dims');
    return this.op1('ConstantOfShape', [shapeTensor], { value: valueAttr }, dtype, shape);
  }

  fillLike(value: number, like: Tensor, dtype: DType = like.dtype): Tensor {
    if (like.shape.every((d) => typeof d === 'number')) return this.fill(value, like.shape, dtype);
    const valueAttr = { tensor: { name: '', dtype, dims: [1], data: toTyped([value], dtype) } };
    return this.op1('ConstantOfShape', [this.shapeOf(like)], { value: valueAttr }, dtype, like.shape);
  }

  /** Lower (or upper) triangle of the last two axes, offset `k`. */
  trilu(x: Tensor, upper: boolean, k = 0): Tensor {
    return this.op1('Trilu', [x, this.scalar(k, 'int64')], { upper: upper ? 1 : 0 }, x.dtype, x.shape);
  }

  // --- reductions and normalisation ----------------------------------------------------

  private reduce(op: string, x: Tensor, axes: readonly number[], keepdims: boolean): Tensor {
    const norm = axes.map((a) => normAxis(a, x.rank));
    const shape = x.shape.flatMap((d, i) => (norm.includes(i) ? (keepdims ? [1] : []) : [d]));
    return this.op1(op, [x, this.ints(norm)], { keepdims: keepdims ? 1 : 0 }, x.dtype, shape);
  }
  reduceSum(x: Tensor, axes: readonly number[], keepdims = false): Tensor {
    return this.reduce('ReduceSum', x, axes, keepdims);
  }
  reduceMean(x: Tensor, axes: readonly number[], keepdims = false): Tensor {
    return this.reduce('ReduceMean', x, axes, keepdims);
  }
  reduceMax(x: Tensor, axes: readonly number[], keepdims = false): Tensor {
    return this.reduce('ReduceMax', x, axes, keepdims);
  }

  /** Σx² over `axes` (no gradient rule: used for gradient norms only). */
  reduceSumSquare(x: Tensor, axes: readonly number[], keepdims = false): Tensor {
    return this.reduce('ReduceSumSquare', x, axes, keepdims);
  }

  softmax(x: Tensor, axis = -1): Tensor {
    return this.unary('Softmax', x, { axis: normAxis(axis, x.rank) });
  }
  logSoftmax(x: Tensor, axis = -1): Tensor {
    return this.unary('LogSoftmax', x, { axis: normAxis(axis, x.rank) });
  }

  /** LayerNormalization over the last axis; Mean and InvStdDev are kept for the backward pass. */
  layerNorm(x: Tensor, scale: Tensor, bias: Tensor, epsilon = 1e-5): Tensor {
    const statShape = [...x.shape.slice(0, -1), 1];
    // ORT keeps the statistics (Mean, InvStdDev) in float32 even for double inputs.
    const attrs = { axis: -1, epsilon: { float: epsilon } };
    const [y] = this.op('LayerNormalization', [x, scale, bias], attrs, [
      [x.dtype, x.shape],
      ['float32', statShape],
      ['float32', statShape],
    ]);
    return y as Tensor;
  }

  // --- decoding ------------------------------------------------------------------------

  argMax(x: Tensor, axis = -1, keepdims = false): Tensor {
    const a = normAxis(axis, x.rank);
    const shape = x.shape.flatMap((d, i) => (i === a ? (keepdims ? [1] : []) : [d]));
    return this.op1('ArgMax', [x], { axis: a, keepdims: keepdims ? 1 : 0 }, 'int64', shape);
  }

  topK(x: Tensor, k: number, axis = -1): { values: Tensor; indices: Tensor } {
    const a = normAxis(axis, x.rank);
    const shape = x.shape.map((d, i) => (i === a ? k : d));
    const [values, indices] = this.op('TopK', [x, this.ints([k])], { axis: a }, [
      [x.dtype, shape],
      ['int64', shape],
    ]);
    return { values: values as Tensor, indices: indices as Tensor };
  }

  isFloat(t: Tensor): boolean {
    return isFloat(t.dtype);
  }
}

export const DATA_TYPE_CODE: Record<DType, number> = { float32: 1, int32: 6, int64: 7, bool: 9, float64: 11 };

export function toTyped(
  values: ArrayLike<number> | ArrayLike<bigint>,
  dtype: DType,
): ArrayBufferView & { length: number } {
  const list = Array.from(values as ArrayLike<number | bigint>);
  switch (dtype) {
    case 'float32':
      return Float32Array.from(list, Number);
    case 'float64':
      return Float64Array.from(list, Number);
    case 'int32':
      return Int32Array.from(list, Number);
    case 'int64':
      return BigInt64Array.from(list, (v) => BigInt(v));
    case 'bool':
      return Uint8Array.from(list, (v) => (v ? 1 : 0));
  }
}

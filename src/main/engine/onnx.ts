// Serialises a Graph to ONNX ModelProto bytes. Field numbers follow onnx/onnx.proto (IR version 10).
import { type Attr, DATA_TYPE_CODE as DATA_TYPE, type Graph, type Initializer, type Node, type Tensor } from './graph';
import { ProtoWriter } from './protobuf';

export const IR_VERSION = 10;
/** Opset 20: the first with Gelu; LayerNormalization (17) and axes-as-input reductions (18) included. */
export const OPSET = 20;

function tensorProto(init: Initializer): ProtoWriter {
  const w = new ProtoWriter();
  w.packedInts(1, init.dims);
  w.int(2, DATA_TYPE[init.dtype]);
  w.string(8, init.name);
  w.bytes(9, new Uint8Array(init.data.buffer, init.data.byteOffset, init.data.byteLength));
  return w;
}

function attribute(name: string, value: Attr): ProtoWriter {
  const w = new ProtoWriter().string(1, name);
  if (typeof value === 'number') return w.int(3, value).int(20, 2);
  if (typeof value === 'string') return w.string(4, value).int(20, 3);
  if ('float' in value) return w.float(2, value.float).int(20, 1);
  if ('tensor' in value) return w.message(5, tensorProto(value.tensor)).int(20, 4);
  return w.packedInts(8, value).int(20, 7);
}

function nodeProto(node: Node, index: number): ProtoWriter {
  const w = new ProtoWriter();
  for (const i of node.inputs) w.string(1, i);
  for (const o of node.outputs) w.string(2, o);
  w.string(3, `${node.op}_${index}`);
  w.string(4, node.op);
  for (const [k, v] of Object.entries(node.attrs)) w.message(5, attribute(k, v));
  return w;
}

function valueInfo(t: Tensor): ProtoWriter {
  const shape = new ProtoWriter();
  for (const d of t.shape) {
    const dim = new ProtoWriter();
    if (typeof d === 'number') dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim);
  }
  const tensorType = new ProtoWriter().int(1, DATA_TYPE[t.dtype]).message(2, shape);
  const type = new ProtoWriter().message(1, tensorType);
  return new ProtoWriter().string(1, t.name).message(2, type);
}

/**
 * `inputs` become graph inputs; every other initialiser (constants, and parameters when
 * exporting for inference) is embedded.
 */
export function serializeModel(
  graph: Graph,
  io: { inputs: readonly Tensor[]; outputs: readonly Tensor[]; initializers: readonly Initializer[] },
): Uint8Array {
  const g = new ProtoWriter();
  graph.nodes.forEach((n, i) => {
    g.message(1, nodeProto(n, i));
  });
  g.string(2, 'nextmask');
  for (const init of io.initializers) g.message(5, tensorProto(init));
  for (const t of io.inputs) g.message(11, valueInfo(t));
  for (const t of io.outputs) g.message(12, valueInfo(t));
  const opset = new ProtoWriter().string(1, '').int(2, OPSET);
  return new ProtoWriter().int(1, IR_VERSION).string(2, 'nextmask-engine').message(8, opset).message(7, g).finish();
}

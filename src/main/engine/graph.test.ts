import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { broadcastShapes, Graph } from './graph';
import { IR_VERSION, OPSET, serializeModel } from './onnx';
import { ProtoWriter, readFields } from './protobuf';
import { hostTensor } from './session';

describe('protobuf writer', () => {
  it('encodes varints (including negative int64), strings and nested messages', () => {
    const inner = new ProtoWriter().int(1, 300).string(2, 'hé');
    const bytes = new ProtoWriter().int(1, -1).message(3, inner).finish();
    const [neg, nested] = readFields(bytes);
    expect(neg).toEqual({ field: 1, wire: 0, value: 2n ** 64n - 1n });
    expect(nested?.field).toBe(3);
    const fields = readFields(nested?.value as Uint8Array);
    expect(fields[0]?.value).toBe(300n);
    expect(new TextDecoder().decode(fields[1]?.value as Uint8Array)).toBe('hé');
  });

  it('writes the ModelProto header ORT checks: IR version and opset', () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2]);
    const fields = readFields(serializeModel(g, { inputs: [x], outputs: [g.neg(x)], initializers: [] }));
    expect(fields.find((f) => f.field === 1)?.value).toBe(BigInt(IR_VERSION));
    const opset = readFields(fields.find((f) => f.field === 8)?.value as Uint8Array);
    expect(opset.find((f) => f.field === 2)?.value).toBe(BigInt(OPSET));
  });
});

describe('graph builder', () => {
  it('infers shapes, including named dims, and rejects mismatches with readable errors', () => {
    expect(broadcastShapes(['batch', 1, 4], [3, 1])).toEqual(['batch', 3, 4]);
    expect(() => broadcastShapes([2, 3], [4, 3])).toThrow('shapes [2, 3] and [4, 3] do not broadcast');
    const g = new Graph();
    const a = g.input('a', 'float32', ['batch', 3, 4]);
    expect(g.matmul(a, g.param('w', [4, 5], { kind: 'zeros' })).shape).toEqual(['batch', 3, 5]);
    expect(() => g.matmul(a, g.param('v', [3, 5], { kind: 'zeros' }))).toThrow(/inner dims differ/);
    // -1 next to a named dim cannot be computed at build time: it becomes a fresh named dim.
    const flat = g.reshape(a, [0, -1]);
    expect(flat.shape[0]).toBe('batch');
    expect(typeof flat.shape[1]).toBe('string');
    expect(g.reshape(g.input('r', 'float32', [2, 6]), [3, -1]).shape).toEqual([3, 4]);
    expect(g.slice(g.input('s', 'float32', [5, 6]), [1, -2], [4, 100], [0, 1]).shape).toEqual([3, 2]);
    expect(g.gather(g.input('e', 'float32', [10, 8]), g.input('i', 'int64', [2, 3])).shape).toEqual([2, 3, 8]);
    expect(() => g.input('a', 'float32', [1])).toThrow(/already used/);
    expect(() => new Graph().add(a, a)).toThrow(/another graph/);
  });

  it('decoding ops run in ORT: ArgMax, TopK, Trilu, Expand, Concat', async () => {
    const g = new Graph();
    const x = g.input('x', 'float32', [2, 3]);
    const top = g.topK(x, 2);
    const outs = [
      g.argMax(x),
      top.values,
      top.indices,
      g.trilu(g.expand(g.reshape(x, [1, 2, 3]), [2, 2, 3]), false),
      g.concat([x, x], 0),
    ];
    const session = await ort.InferenceSession.create(
      serializeModel(g, { inputs: [x], outputs: outs, initializers: g.constants }),
    );
    const r = await session.run({ x: hostTensor(Float32Array.from([1, 9, 4, 7, 2, 8]), [2, 3]) });
    const data = outs.map((t) => Array.from(r[t.name]?.data as ArrayLike<number | bigint>, Number));
    expect(data[0]).toEqual([1, 2]);
    expect(data[1]).toEqual([9, 4, 8, 7]);
    expect(data[2]).toEqual([1, 2, 2, 0]);
    expect(data[3]).toEqual([1, 0, 0, 7, 2, 0, 1, 0, 0, 7, 2, 0]);
    expect(r[outs[4]!.name]?.dims).toEqual([4, 3]);
    await session.release();
  });
});

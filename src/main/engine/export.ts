// Inference-only ONNX export: the same builder code that defines the training graph is run
// again without the loss, and the trained values are embedded as initialisers.
import { Graph, type Initializer, numel, type Tensor } from './graph';
import { serializeModel } from './onnx';
import type { DecoderConfig } from './transformer';
import { decoderLogits } from './transformer';

export function exportInference(
  build: (g: Graph) => Record<string, Tensor>,
  params: Record<string, Float32Array>,
): Uint8Array {
  const g = new Graph('float32');
  const outputs = build(g);
  const initializers: Initializer[] = g.params.map((p) => {
    const values = params[p.tensor.name];
    if (!values) throw new Error(`no trained values for parameter ${p.tensor.name}`);
    if (values.length !== numel(p.tensor.shape)) {
      throw new Error(`parameter ${p.tensor.name} has ${values.length} values, expected ${numel(p.tensor.shape)}`);
    }
    return { name: p.tensor.name, dtype: 'float32', dims: p.tensor.shape as number[], data: values };
  });
  const named = Object.entries(outputs).map(([name, t]) => g.named(t, name));
  const bytes = serializeModel(g, {
    inputs: g.inputs,
    outputs: named,
    initializers: [...g.constants, ...initializers],
  });
  return bytes;
}

/** Decoder logits model: inputs tokens [batch, seq] and positions [seq] (int64), output logits. */
export function exportDecoder(cfg: DecoderConfig, seq: number, params: Record<string, Float32Array>): Uint8Array {
  return exportInference((g) => {
    const tokens = g.input('tokens', 'int64', ['batch', seq]);
    const positions = g.input('positions', 'int64', [seq]);
    return { logits: decoderLogits(g, cfg, tokens, positions) };
  }, params);
}

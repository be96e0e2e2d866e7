// Inference graphs for the segmenter, weights embedded, over a batch of rows (the test-time views of one
// answer decode together). Prefill: image and text → the last position's head logits and every layer's
// keys and values. Decode step: new tokens, their positions and mask (per row: rows accept different
// numbers of draft tokens, so their cached lengths differ) and each layer's cached keys/values,
// position-major ([past, B, D]) → head logits of the new positions and ONLY their keys and values
// ([B, n, D]; the cache appends them). Logits are [B, n, k heads, outputVocab].
import { GRID_TOKENS } from '../../shared/tokens';
import { exportInference } from '../engine/export';
import type { Graph, Tensor } from '../engine/graph';
import type { AttentionPast, LayerKv } from '../engine/transformer';
import { type ArchitectureConfig, layoutOf } from './config';
import { constantPositions, headLogits, trunk } from './network';

export const kvName = (kind: 'keys' | 'values', layer: number) => `${kind}${layer}`;
export const pastName = (kind: 'keys' | 'values', layer: number) => `past_${kind}${layer}`;

function outputs(g: Graph, arch: ArchitectureConfig, hidden: Tensor, embedding: Tensor, kv: LayerKv[]) {
  const logits = headLogits(g, arch, hidden, embedding).map((l) => g.unsqueeze(l, [2]));
  const out: Record<string, Tensor> = { logits: g.concat(logits, 2) };
  kv.forEach((c, l) => {
    out[kvName('keys', l)] = c.keys;
    out[kvName('values', l)] = c.values;
  });
  return out;
}

export function prefillModel(arch: ArchitectureConfig, params: Record<string, Float32Array>): Uint8Array {
  const layout = layoutOf(arch);
  return exportInference((g) => {
    const image = g.input('image', 'int64', ['batch', GRID_TOKENS, layout.imageLevels]);
    // `text`: the text ids, then with a region part its slots; `prior` beside them (network.ts).
    const text = g.input('text', 'int64', ['batch', layout.promptTokens]);
    const prior = layout.priorTokens > 0 ? g.input('prior', 'int64', ['batch', layout.priorTokens]) : null;
    const positions = constantPositions(g, layout, 0, layout.prefix);
    const t = trunk(g, arch, { image, tokens: text, positions, ...(prior ? { prior } : {}) });
    const last = g.slice(t.hidden, [layout.prefix - 1], [layout.prefix], [1]);
    return outputs(g, arch, last, t.embedding, t.kv);
  }, params);
}

export function decodeStepModel(arch: ArchitectureConfig, params: Record<string, Float32Array>): Uint8Array {
  return exportInference((g) => {
    const tokens = g.input('tokens', 'int64', ['batch', 'n']);
    const positions = {
      a: g.input('position_a', 'int64', ['batch', 'n']),
      b: g.input('position_b', 'int64', ['batch', 'n']),
    };
    // One mask per row, the same for every attention head.
    const mask = g.unsqueeze(g.input('mask', 'float32', ['batch', 'n', 'kv']), [1]);
    const past: AttentionPast[] = Array.from({ length: arch.layers }, (_, l) => ({
      keys: g.input(pastName('keys', l), 'float32', ['past', 'batch', arch.width]),
      values: g.input(pastName('values', l), 'float32', ['past', 'batch', arch.width]),
      mask,
    }));
    const t = trunk(g, arch, { tokens, positions }, past);
    return outputs(g, arch, t.hidden, t.embedding, t.kv);
  }, params);
}

// A GPT-style decoder (pre-norm, fused QKV, tanh-GELU MLP, tied embeddings) and its
// cross-entropy loss, written once for training, gradient checks, benchmarks and export.
import type { Graph, Tensor } from './graph';
import type { BatchSpec, LossFn } from './train-step';

export interface DecoderConfig {
  vocab: number;
  width: number;
  heads: number;
  layers: number;
  /** Positions the position embedding covers. */
  maxSeq: number;
  /** MLP hidden width = mlpRatio × width (default 4). */
  mlpRatio?: number;
}

export function linear(g: Graph, x: Tensor, name: string, inDim: number, outDim: number, std: number): Tensor {
  const w = g.param(`${name}.w`, [inDim, outDim], { kind: 'normal', std });
  const b = g.param(`${name}.b`, [outDim], { kind: 'zeros' });
  return g.add(g.matmul(x, w), b);
}

function norm(g: Graph, x: Tensor, name: string, width: number): Tensor {
  const scale = g.param(`${name}.scale`, [width], { kind: 'ones' });
  const bias = g.param(`${name}.bias`, [width], { kind: 'zeros' });
  return g.layerNorm(x, scale, bias);
}

/**
 * Keys and values of the positions before x, position-major ([P, B, D], heads merged, P and B may be
 * named dims: a cache of several rows then grows at its end, and its first P positions are one view), and
 * the additive mask over them and x's own positions ([T, P+T], or [B, 1, T, P+T] for a mask per row).
 */
export interface AttentionPast {
  keys: Tensor;
  values: Tensor;
  mask: Tensor;
}

/** x's own keys and values [B, T, D] (heads merged): what a KV cache appends. */
export interface LayerKv {
  keys: Tensor;
  values: Tensor;
}

// The cached prefix [P, B, D] and x's own [B, T, D] as one position-major [P+T, B, D] (P is dynamic);
// inference only, so no gradient is needed.
function concatPositions(g: Graph, past: Tensor, current: Tensor): Tensor {
  const [out] = g.op('Concat', [past, g.transpose(current, [1, 0, 2])], { axis: 0 }, [
    [past.dtype, ['kv', past.shape[1] as number, past.shape[2] as number]],
  ]);
  return out as Tensor;
}

/** Self-attention over x [B, T, D]: causal over x alone (T static), or over `past` and x. */
function attention(g: Graph, x: Tensor, cfg: DecoderConfig, name: string, outStd: number, past?: AttentionPast) {
  const { width: d, heads: h } = cfg;
  const dh = d / h;
  const qkv = linear(g, x, `${name}.qkv`, d, 3 * d, 0.02);
  // Split (not three Slices): its gradient is one Concat rather than three Pads and two Adds.
  const [qPart, keys, values] = g.split(qkv, [d, d, d], 2) as [Tensor, Tensor, Tensor];
  const own: LayerKv = { keys, values };
  const heads = (t: Tensor, perm: number[]) => g.transpose(g.reshape(t, [0, 0, h, dh]), perm);
  // Scale q rather than the [T, T] scores: the same result on fewer elements.
  const q = g.mul(heads(qPart, [0, 2, 1, 3]), g.scalar(1 / Math.sqrt(dh)));
  // With a cache the positions come first ([P+T, B, h, dh]): the same one transpose brings the batch first.
  const k = past ? heads(concatPositions(g, past.keys, own.keys), [1, 2, 3, 0]) : heads(own.keys, [0, 2, 3, 1]);
  const v = past ? heads(concatPositions(g, past.values, own.values), [1, 2, 0, 3]) : heads(own.values, [0, 2, 1, 3]);
  // Additive mask (0 on and below the diagonal, -1e9 above), built once on [T, T]: adding it
  // costs one pass over the scores and its gradient is the identity, unlike Where's.
  let mask = past?.mask;
  if (!mask) {
    const t = x.shape[1] as number;
    mask = g.where(g.cast(g.trilu(g.fill(1, [t, t]), false), 'bool'), g.scalar(0), g.scalar(-1e9));
  }
  const scores = g.add(g.matmul(q, k), mask);
  const mixed = g.matmul(g.softmax(scores), v);
  const merged = g.reshape(g.transpose(mixed, [0, 2, 1, 3]), [0, 0, d]);
  return { out: linear(g, merged, `${name}.out`, d, d, outStd), own };
}

/**
 * The decoder's layers and final norm over embedded inputs x [B, T, D]. With `past` (one per layer)
 * the new positions attend to cached keys and values; `kv` holds each layer's keys and values of x.
 */
export function decoderStack(
  g: Graph,
  cfg: DecoderConfig,
  x: Tensor,
  past?: readonly AttentionPast[],
): { hidden: Tensor; kv: LayerKv[] } {
  const d = cfg.width;
  if (d % cfg.heads !== 0) throw new Error(`width ${d} is not divisible by ${cfg.heads} heads`);
  const hidden = d * (cfg.mlpRatio ?? 4);
  // GPT-2's scaling of residual projections keeps the residual stream's variance flat with depth.
  const outStd = 0.02 / Math.sqrt(2 * cfg.layers);
  const kv: LayerKv[] = [];
  for (let l = 0; l < cfg.layers; l++) {
    const name = `layer${l}`;
    const att = attention(g, norm(g, x, `${name}.norm1`, d), cfg, `${name}.attn`, outStd, past?.[l]);
    kv.push(att.own);
    x = g.add(x, att.out);
    const up = g.gelu(linear(g, norm(g, x, `${name}.norm2`, d), `${name}.mlp.up`, d, hidden, 0.02));
    x = g.add(x, linear(g, up, `${name}.mlp.down`, hidden, d, outStd));
  }
  return { hidden: norm(g, x, 'final.norm', d), kv };
}

/** Logits [B, T, vocab] for tokens [B, T] (int64) at positions [T] (int64). */
export function decoderLogits(g: Graph, cfg: DecoderConfig, tokens: Tensor, positions: Tensor): Tensor {
  const { width: d, vocab } = cfg;
  const embedding = g.param('embed.tokens', [vocab, d], { kind: 'normal', std: 0.02 });
  const posEmbedding = g.param('embed.positions', [cfg.maxSeq, d], { kind: 'normal', std: 0.01 });
  const x = g.add(g.gather(embedding, tokens), g.gather(posEmbedding, positions));
  return g.matmul(decoderStack(g, cfg, x).hidden, g.transpose(embedding, [1, 0]));
}

/**
 * Mean cross-entropy of logits [B, T, V] against targets [B, T] (int64), weighted per
 * position by weights [B, T] (0 masks padding), and the weighted token accuracy.
 */
export function crossEntropy(g: Graph, logits: Tensor, targets: Tensor, weights: Tensor) {
  const logp = g.logSoftmax(logits, -1);
  const picked = g.reshapeLike(g.gatherElements(logp, g.unsqueeze(targets, [-1]), -1), targets);
  const total = g.max(g.reduceSum(weights, [0, 1]), g.scalar(1e-6, weights.dtype));
  const loss = g.div(g.neg(g.reduceSum(g.mul(picked, weights), [0, 1])), total);
  const hits = g.cast(g.equal(g.argMax(logits, -1), targets), weights.dtype);
  const accuracy = g.div(g.reduceSum(g.mul(hits, weights), [0, 1]), total);
  return { loss, accuracy };
}

/** Next-token training batch: tokens, targets (int64) and loss weights, all [batch, seq]. */
export function decoderBatch(batch: number, seq: number): BatchSpec {
  return {
    tokens: { dtype: 'int64', shape: [batch, seq] },
    targets: { dtype: 'int64', shape: [batch, seq] },
    weights: { dtype: 'float32', shape: [batch, seq] },
  };
}

export function decoderLoss(cfg: DecoderConfig, seq: number): LossFn {
  if (seq > cfg.maxSeq) throw new Error(`sequence ${seq} exceeds maxSeq ${cfg.maxSeq}`);
  return (g, b) => {
    const positions = g.constant(
      Array.from({ length: seq }, (_, i) => i),
      [seq],
      'int64',
    );
    const logits = decoderLogits(g, cfg, b.tokens as Tensor, positions);
    const { loss, accuracy } = crossEntropy(g, logits, b.targets as Tensor, b.weights as Tensor);
    return { loss, metrics: { accuracy } };
  };
}

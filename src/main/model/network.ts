// The NTP-MRISeg network as graph pieces: embeddings (image positions sum one embedding per residual
// level; every position adds its two position-table rows), the engine's decoder stack, and k heads.
// Training, the teacher-forced forward, prefill and decode-step graphs are all built from these.
import { GRID_TOKENS, PRIOR_LEVELS, positionPairs, positionRows, type TokenLayout } from '../../shared/tokens';
import type { Graph, Tensor } from '../engine/graph';
import { type AttentionPast, decoderStack, type LayerKv, linear } from '../engine/transformer';
import { type ArchitectureConfig, decoderConfig, layoutOf } from './config';

export interface Positions {
  /** First and second position-table rows, [n] int64 each. */
  a: Tensor;
  b: Tensor;
}

/** Position rows of sequence positions [from, to) as graph constants. */
export function constantPositions(g: Graph, layout: TokenLayout, from: number, to: number): Positions {
  const [a, b] = positionPairs(layout, from, to);
  return { a: g.constant(a, [to - from], 'int64'), b: g.constant(b, [to - from], 'int64') };
}

function tables(g: Graph, arch: ArchitectureConfig) {
  const layout = layoutOf(arch);
  return {
    tokens: g.param('embed.tokens', [layout.vocab, arch.width], { kind: 'normal', std: 0.02 }),
    positions: g.param('embed.positions', [positionRows(layout), arch.width], { kind: 'normal', std: 0.01 }),
  };
}

export interface Trunk {
  /** Final-normed hidden states [B, n, D]. */
  hidden: Tensor;
  kv: LayerKv[];
  /** The token embedding table [vocab, D] (tied with the output heads). */
  embedding: Tensor;
}

/**
 * Embeds [image grid (when `image` is given: [B, 256, levels] combined ids, plus with a region part the
 * prior [B, 256] levels)][tokens [B, n]] at the given positions and runs the decoder stack (over `past`
 * when decoding with a cache).
 */
export function trunk(
  g: Graph,
  arch: ArchitectureConfig,
  inputs: { image?: Tensor; prior?: Tensor; tokens: Tensor; positions: Positions },
  past?: readonly AttentionPast[],
): Trunk {
  const t = tables(g, arch);
  let x = g.gather(t.tokens, inputs.tokens);
  if (inputs.image) {
    if (inputs.image.shape[1] !== GRID_TOKENS) throw new Error('image ids must be [batch, 256, levels]');
    let image = g.reduceSum(g.gather(t.tokens, inputs.image), [2]);
    if (layoutOf(arch).priorTokens > 0) {
      if (!inputs.prior) throw new Error('a model with a region part needs the prior');
      // Zero at the start: a model given region tokens first answers as it did without a prior.
      const vector = g.param('embed.prior', [arch.width], { kind: 'zeros' }, false);
      const share = g.div(g.cast(g.unsqueeze(inputs.prior, [2]), g.float), g.scalar(PRIOR_LEVELS));
      image = g.add(image, g.mul(share, vector));
    }
    x = g.concat([image, x], 1);
  }
  x = g.add(x, g.add(g.gather(t.positions, inputs.positions.a), g.gather(t.positions, inputs.positions.b)));
  const { hidden, kv } = decoderStack(g, decoderConfig(arch), x, past);
  return { hidden, kv, embedding: t.tokens };
}

/**
 * Logits [B, n, outputVocab] of each of the k heads over hidden [B, n, D]. Head 1 reads the hidden
 * state as is; head j > 1 first adds a learned linear map of it (its own view of "j tokens ahead").
 * All share the tied output embedding (rows 0..outputVocab: mask codes and EOS).
 */
export function headLogits(g: Graph, arch: ArchitectureConfig, hidden: Tensor, embedding: Tensor): Tensor[] {
  const out = g.transpose(g.slice(embedding, [0], [layoutOf(arch).outputVocab], [0]), [1, 0]);
  return Array.from({ length: arch.predictHeads }, (_, j) => {
    const h = j === 0 ? hidden : g.add(hidden, linear(g, hidden, `head${j + 1}`, arch.width, arch.width, 0.02));
    return g.matmul(h, out);
  });
}

/**
 * Teacher-forced forward over a whole sequence: image [B, 256, L], tokens [B, promptTokens + 256]
 * (text and region, then the 256 mask tokens), and with a region part the prior [B, 256]. Returns
 * hidden states and head logits at the 257 positions whose next token is a mask token or EOS (the last
 * prompt position through the last mask position).
 */
export function teacherForced(g: Graph, arch: ArchitectureConfig, image: Tensor, tokens: Tensor, prior?: Tensor) {
  const layout = layoutOf(arch);
  const length = layout.prefix + GRID_TOKENS;
  const positions = constantPositions(g, layout, 0, length);
  const t = trunk(g, arch, { image, tokens, positions, ...(prior ? { prior } : {}) });
  const hidden = g.slice(t.hidden, [layout.prefix - 1], [length], [1]);
  return { hidden, logits: headLogits(g, arch, hidden, t.embedding), embedding: t.embedding };
}

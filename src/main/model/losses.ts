// The training losses over the 257 output positions (mask tokens then EOS). Each takes graph tensors
// and returns a scalar; loss.ts combines the ones the config switches on.
import type { Graph, Tensor } from '../engine/graph';
import { crossEntropy } from '../engine/transformer';

const NEG = -1e9;

function dims2(t: Tensor): [number, number] {
  const [a, b] = t.shape;
  if (typeof a !== 'number' || typeof b !== 'number') throw new Error('losses need static [batch, positions] shapes');
  return [a, b];
}

/** Targets and weights for head j (1-based): the target j − 1 places on; past the end weighs 0. */
function shifted(g: Graph, targets: Tensor, j: number): { targets: Tensor; weights: Tensor } {
  const [b, p] = dims2(targets);
  const s = j - 1;
  const weights = g.constant(
    Array.from({ length: b * p }, (_, i) => (i % p < p - s ? 1 : 0)),
    [b, p],
  );
  if (s === 0) return { targets, weights };
  const pad = g.fill(0, [b, s], 'int64');
  return { targets: g.concat([g.slice(targets, [s], [p], [1]), pad], 1), weights };
}

/**
 * NTP + NkTP: head 1's cross-entropy against the next token plus, for j = 2..k, decay^(j−1) times head
 * j's cross-entropy against the token j places on (positions whose target lies past EOS weigh 0).
 * With `nktp` off only head 1 is trained. Also returns head 1's accuracy.
 */
export function nextTokensLoss(g: Graph, logits: readonly Tensor[], targets: Tensor, decay: number | null) {
  const first = crossEntropy(g, logits[0] as Tensor, targets, shifted(g, targets, 1).weights);
  let loss = first.loss;
  if (decay !== null) {
    logits.slice(1).forEach((l, i) => {
      const j = i + 2;
      const s = shifted(g, targets, j);
      loss = g.add(loss, g.mul(g.scalar(decay ** (j - 1)), crossEntropy(g, l, s.targets, s.weights).loss));
    });
  }
  return { loss, accuracy: first.accuracy };
}

function unitRows(g: Graph, x: Tensor): Tensor {
  return g.div(x, g.sqrt(g.add(g.reduceSum(g.mul(x, x), [-1], true), g.scalar(1e-8))));
}

/**
 * TCL (InfoNCE): at position t the hidden state h_t should be closer (cosine / temperature) to the
 * embedding of its target y_t than to the embeddings of the tokens predicted at t−1 … t−m:
 *   −log( exp(s(h_t, e_y)) / (exp(s(h_t, e_y)) + Σ_i exp(s(h_t, e_{ŷ_{t−i}})) ) ),
 * averaged over positions. A negative that equals y_t, or lies before the first position, is left out.
 * hidden [B, P, D], targets and predicted [B, P] (int64), embedding [V, D].
 */
export function tokenContrastiveLoss(
  g: Graph,
  hidden: Tensor,
  targets: Tensor,
  predicted: Tensor,
  embedding: Tensor,
  negatives: number,
  temperature: number,
): Tensor {
  const [b, p] = dims2(targets);
  const ids = [g.unsqueeze(targets, [-1])];
  const penalties = [g.fill(0, [b, p, 1])];
  for (let i = 1; i <= negatives; i++) {
    const prev = g.concat([g.fill(0, [b, i], 'int64'), g.slice(predicted, [0], [p - i], [1])], 1);
    const early = g.constant(
      Array.from({ length: b * p }, (_, k) => (k % p < i ? 1 : 0)),
      [b, p],
    );
    const same = g.cast(g.equal(prev, targets), hidden.dtype);
    const excluded = g.min(g.add(early, same), g.scalar(1));
    ids.push(g.unsqueeze(prev, [-1]));
    penalties.push(g.unsqueeze(g.mul(excluded, g.scalar(NEG)), [-1]));
  }
  const candidates = unitRows(g, g.gather(embedding, g.concat(ids, -1))); // [B, P, 1+m, D]
  const h = g.unsqueeze(unitRows(g, hidden), [2]); // [B, P, 1, D]
  const scores = g.add(
    g.mul(g.reduceSum(g.mul(h, candidates), [-1]), g.scalar(1 / temperature)),
    g.concat(penalties, -1),
  );
  const positive = g.slice(g.logSoftmax(scores, -1), [0], [1], [2]);
  return g.neg(g.reduceMean(positive, [0, 1, 2]));
}

/**
 * HET: for each remembered hard error (position, wrong token) of a sample,
 *   −log p(y) − log(1 − p(w))
 * (toward the target, away from the remembered wrong token), averaged over valid entries. An entry is
 * valid when its weight is 1 and the wrong token is not the current target (augmentation can move it).
 * logits [B, P, V]; targets [B, P]; positions, wrong [B, H] (int64); weights [B, H].
 */
export function hardErrorLoss(
  g: Graph,
  logits: Tensor,
  targets: Tensor,
  positions: Tensor,
  wrong: Tensor,
  weights: Tensor,
): Tensor {
  const [b, h] = dims2(positions);
  const v = logits.shape[2] as number;
  const rows = g.gatherElements(g.logSoftmax(logits, -1), g.expand(g.unsqueeze(positions, [-1]), [b, h, v]), 1);
  const y = g.gatherElements(targets, positions, 1);
  const pick = (ids: Tensor) => g.reshape(g.gatherElements(rows, g.unsqueeze(ids, [-1]), -1), [b, h]);
  const towardTarget = g.neg(pick(y));
  const awayFromWrong = g.neg(g.log(g.max(g.sub(g.scalar(1), g.exp(pick(wrong))), g.scalar(1e-6))));
  const valid = g.mul(weights, g.sub(g.scalar(1), g.cast(g.equal(wrong, y), weights.dtype)));
  const total = g.max(g.reduceSum(valid, [0, 1]), g.scalar(1e-6));
  return g.div(g.reduceSum(g.mul(g.add(towardTarget, awayFromWrong), valid), [0, 1]), total);
}

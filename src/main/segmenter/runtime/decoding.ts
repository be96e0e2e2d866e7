// Autoregressive decoding of mask tokens over a KV-cached decoder session: plain greedy,
// and speculative decoding from the NkTP heads (heads 2..k draft, optionally extended by cheap
// lookahead guesses, and one pass verifies). Both return the same tokens; speculative needs fewer passes.

/** Logits of every head at every newly fed position: layout [position][head][vocab]. */
export interface HeadLogits {
  positions: number;
  heads: number;
  vocab: number;
  data: Float32Array;
  /**
   * Called before a row is read, so a session can rewrite only the rows decoding actually reads
   * (greedy reads one per pass, speculative about accepted + k) instead of every position and head.
   */
  prepareRow?: (position: number, head: number) => void;
}

/**
 * A decoder with a KV cache: `extend` feeds tokens after the cached prefix. After the prompt, a session
 * may feed only the first of several tokens (at least one; a batch's common length): the logits'
 * `positions` say how many, and only those count as fed.
 */
export interface DecoderSession {
  /** Cached sequence length (tokens already fed). */
  readonly length: number;
  extend(tokens: Int32Array): Promise<HeadLogits>;
  /** Forgets cached positions from `length` on (rejected draft tokens). */
  truncate(length: number): void;
  /** Ends the session: a row of a batch stops holding up the others' steps (decoding done or failed). */
  close?(): void;
}

/** Half-open token-id range [from, to) that output index `i` may take (mask codes, then EOS). */
export type AllowedRange = (outputIndex: number) => readonly [number, number];

export interface DecodeOptions {
  /** Number of tokens to produce. */
  steps: number;
  allowed: AllowedRange;
  /** Called whenever new tokens are final (for streaming partial masks). */
  onTokens?: (tokens: Int32Array, produced: number) => void;
  signal?: AbortSignal;
  /**
   * Speculative only: drafts past the heads' guesses, up to `maxDraft` tokens in all. `guess(i, tokens)`
   * proposes output i from tokens[0..i) (accepted outputs, then the draft so far), or undefined to stop.
   * Guesses are verified like the heads' ones, so the result is still greedy's; a wrong guess only costs
   * its share of the pass.
   */
  lookahead?: Lookahead;
}

export interface Lookahead {
  maxDraft: number;
  guess: (index: number, tokens: Int32Array) => number | undefined;
}

export interface DecodeResult {
  tokens: Int32Array;
  forwardPasses: number;
  /** Tokens produced per forward pass, the prompt pass included (1 for greedy). */
  tokensPerStep: number;
}

/** Argmax over logits[position][head][from..to), ties to the lowest id (as ArgMax does). */
export function argmaxAt(
  logits: HeadLogits,
  position: number,
  head: number,
  [from, to]: readonly [number, number],
): number {
  logits.prepareRow?.(position, head);
  const base = (position * logits.heads + head) * logits.vocab;
  let best = from;
  let bestValue = Number.NEGATIVE_INFINITY;
  for (let id = from; id < to; id++) {
    const value = logits.data[base + id] as number;
    if (value > bestValue) {
      bestValue = value;
      best = id;
    }
  }
  return best;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason ?? new DOMException('decoding cancelled', 'AbortError');
}

export async function greedyDecode(
  session: DecoderSession,
  prompt: Int32Array,
  options: DecodeOptions,
): Promise<DecodeResult> {
  const { steps, allowed, onTokens, signal } = options;
  const out = new Int32Array(steps);
  let logits = await session.extend(prompt);
  let passes = 1;
  for (let i = 0; i < steps; i++) {
    throwIfAborted(signal);
    out[i] = argmaxAt(logits, logits.positions - 1, 0, allowed(i));
    onTokens?.(out.subarray(i, i + 1), i + 1);
    if (i + 1 < steps) {
      logits = await session.extend(out.subarray(i, i + 1));
      passes++;
    }
  }
  return { tokens: out, forwardPasses: passes, tokensPerStep: steps / passes };
}

/** Appends lookahead guesses to the draft at out[produced..); returns the new draft length. */
function extendDraft(
  out: Int32Array,
  produced: number,
  length: number,
  steps: number,
  allowed: AllowedRange,
  { maxDraft, guess }: Lookahead,
): number {
  while (length < maxDraft && produced + length < steps) {
    const index = produced + length;
    const token = guess(index, out);
    const [from, to] = allowed(index);
    if (token === undefined || token < from || token >= to) break;
    out[index] = token;
    length++;
  }
  return length;
}

/**
 * Blockwise-parallel (NkTP) decoding. At the last fed position head 1 gives the next token
 * exactly as greedy would and heads 2..k guess the ones after it. Feeding [next, guesses…]
 * in one pass lets head 1 check each guess; the longest agreeing prefix is kept and the
 * cache rolled back past the first disagreement, so the result equals greedy decoding.
 */
export async function speculativeDecode(
  session: DecoderSession,
  prompt: Int32Array,
  options: DecodeOptions,
): Promise<DecodeResult> {
  const { steps, allowed, onTokens, signal, lookahead } = options;
  const out = new Int32Array(steps);
  let produced = 0;
  let logits = await session.extend(prompt);
  let row = logits.positions - 1;
  let passes = 1;
  while (produced < steps) {
    throwIfAborted(signal);
    // The draft is written into `out` past the accepted tokens, so guesses can read what precedes them.
    let draftLength = Math.min(logits.heads, steps - produced);
    for (let j = 0; j < draftLength; j++) out[produced + j] = argmaxAt(logits, row, j, allowed(produced + j));
    if (lookahead) draftLength = extendDraft(out, produced, draftLength, steps, allowed, lookahead);
    const draft = out.slice(produced, produced + draftLength);
    const cached = session.length;
    // The last token needs no pass of its own: nothing is decoded after it.
    if (produced + 1 === steps) {
      out[produced++] = draft[0] as number;
      onTokens?.(draft.subarray(0, 1), produced);
      break;
    }
    logits = await session.extend(draft);
    passes++;
    // A batch may have fed only the first `positions` of the draft: acceptance stops there.
    const fed = logits.positions;
    let accepted = 1; // draft[0] came from head 1: it is what greedy would pick
    while (accepted < fed && argmaxAt(logits, accepted - 1, 0, allowed(produced + accepted)) === draft[accepted]) {
      accepted++;
    }
    if (accepted < fed) session.truncate(cached + accepted);
    out.set(draft.subarray(0, accepted), produced);
    produced += accepted;
    onTokens?.(draft.subarray(0, accepted), produced);
    row = accepted - 1;
  }
  return { tokens: out, forwardPasses: passes, tokensPerStep: steps / passes };
}

// Decoding rule for mask codes: instead of the most probable code, the code nearest to the expected
// patch. With ~1000 mixed codes a lung edge spreads its probability over many similar patterns, so the
// single most probable code is often background even when most of the mass says "part foreground".
// Here each pixel's foreground probability is Σ_c p(c)·bit_c(pixel); the patch thresholded at 0.5 is
// coded like a ground-truth patch (MaskCodebook.nearest) and that code's logit is raised to the top,
// so greedy and speculative decoding (argmax) pick it and still agree with each other. segment() may
// decode again at a lower threshold when the mask comes out empty (EMPTY_FALLBACK there).
import { EXPECTED_THRESHOLD } from '../../../shared/segment-types';
import type { TokenLayout } from '../../../shared/tokens';
import { WORDS } from '../../tokenizers/binary-patches';
import { GRID, GRID_PIXELS, PATCH, POSITIONS } from '../../tokenizers/grid';
import { BACKGROUND_CODE, FOREGROUND_CODE, type MaskCodebook } from '../../tokenizers/mask-codebook';
import type { DecoderSession, HeadLogits } from './decoding';

const PIXELS = 256;
/** Codes below this probability are skipped when summing (their share of any pixel is negligible). */
const MIN_PROBABILITY = 1e-4;
/** exp(-20) ≈ 2e-9: a code this far below the top logit adds nothing measurable to the normaliser. */
const NEGLIGIBLE_LOGIT_GAP = -20;

// Scratch, reused: decoding rewrites hundreds of rows per image, one at a time.
let weights = new Float64Array(0);
let codes = new Int32Array(0);
const foreground = new Float64Array(PIXELS);
const patch = new Uint32Array(WORDS);

/** exp(-8) ≈ 3.4e-4: a thousand codes this far below the top still sum to under 0.35, a cheap bound. */
const FAR_GAP = -8;
const FAR_BOUND = Math.exp(FAR_GAP);

/**
 * P(code `top`) > q for the row's top code, given ratio = (1 − q) / q:
 * Σ over the other codes of exp(logit − top's) < ratio.
 */
function othersOutweighedBy(row: Float32Array, top: number, k: number, ratio: number): boolean {
  const max = row[top] as number;
  let near = 0;
  let far = 0;
  for (let c = 0; c < k; c++) {
    if (c === top) continue;
    const gap = (row[c] as number) - max;
    if (gap <= FAR_GAP) {
      far++;
    } else {
      near += Math.exp(gap);
      if (near >= ratio) return false;
    }
  }
  if (near + far * FAR_BOUND < ratio) return true; // decided without an exp per far code
  for (let c = 0; c < k; c++) {
    const gap = (row[c] as number) - max;
    if (c !== top && gap <= FAR_GAP && gap > NEGLIGIBLE_LOGIT_GAP) near += Math.exp(gap);
  }
  return near < ratio;
}

/**
 * Rewrites one row of logits over the mask codes so the code of the expected patch, thresholded at
 * `threshold` (in (0, 1/2]), is the argmax. `probability`, when given, receives the expected patch
 * itself (256 foreground probabilities, row-major; 0 or 1 where a flat code is certain enough).
 */
export function preferExpectedPatch(
  row: Float32Array,
  codebook: MaskCodebook,
  threshold = EXPECTED_THRESHOLD,
  probability?: Float32Array,
): number {
  if (!(threshold > 0 && threshold <= 0.5))
    throw new Error(`expected-patch threshold must be in (0, 0.5], got ${threshold}`);
  const k = codebook.size;
  if (weights.length < k) {
    weights = new Float64Array(k);
    codes = new Int32Array(k);
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < k; c++) max = Math.max(max, row[c] as number);
  // Exact shortcuts for the common, confident rows: with P(all-background) > 1 − t no pixel can reach t,
  // with P(all-foreground) > 1/2 ≥ t every pixel does, so the expected patch is that flat patch.
  for (const flat of [BACKGROUND_CODE, FOREGROUND_CODE]) {
    const ratio = flat === BACKGROUND_CODE ? threshold / (1 - threshold) : 1;
    if (row[flat] === max && othersOutweighedBy(row, flat, k, ratio)) {
      probability?.fill(flat === BACKGROUND_CODE ? 0 : 1);
      row[flat] = max + 1;
      return flat;
    }
  }
  // Unnormalised probabilities of the codes that matter; most rows keep only a handful.
  let z = 0;
  let n = 0;
  for (let c = 0; c < k; c++) {
    const gap = (row[c] as number) - max;
    if (gap <= NEGLIGIBLE_LOGIT_GAP) continue;
    const w = Math.exp(gap);
    z += w;
    weights[n] = w;
    codes[n++] = c;
  }
  const { start, pixel } = codebook.foreground();
  foreground.fill(0);
  for (let i = 0; i < n; i++) {
    const p = (weights[i] as number) / z;
    if (p < MIN_PROBABILITY) continue;
    const c = codes[i] as number;
    for (let at = start[c] as number, end = start[c + 1] as number; at < end; at++) {
      const j = pixel[at] as number;
      foreground[j] = (foreground[j] as number) + p;
    }
  }
  probability?.set(foreground);
  patch.fill(0);
  for (let j = 0; j < PIXELS; j++)
    if ((foreground[j] as number) >= threshold) patch[j >> 5] = ((patch[j >> 5] as number) | (1 << (j & 31))) >>> 0;
  const chosen = codebook.nearest(patch);
  row[chosen] = max + 1;
  return chosen;
}

/**
 * A DecoderSession whose mask-code logits (each row as decoding reads it) follow the expected-patch rule.
 * Given `probability` (256x256, the mask grid's frame), it also writes there the expected patch of every
 * output it reads. Decoding reads a head-1 row only for an output it then keeps with that row's choice
 * (a rejected draft's rows are never read), so the map ends as the expected patches behind the tokens.
 */
export class ExpectedPatchSession implements DecoderSession {
  /** Sequence position whose head-1 row predicts mask output 0: the prompt's last; set by the first extend. */
  private firstOutputRow = -1;
  private readonly patchScratch = new Float32Array(PIXELS);

  constructor(
    private readonly inner: DecoderSession,
    private readonly codebook: MaskCodebook,
    private readonly layout: TokenLayout,
    private readonly threshold = EXPECTED_THRESHOLD,
    private readonly probability?: Float32Array,
  ) {
    if (probability && probability.length !== GRID_PIXELS * GRID_PIXELS)
      throw new Error(`probability map must hold ${GRID_PIXELS}x${GRID_PIXELS} values`);
  }

  get length(): number {
    return this.inner.length;
  }

  truncate(length: number): void {
    this.inner.truncate(length);
  }

  close(): void {
    this.inner.close?.();
  }

  async extend(tokens: Int32Array): Promise<HeadLogits> {
    const logits = await this.inner.extend(tokens);
    // Sequence position of row 0 (a prompt's image position holds several ids, so count positions).
    const first = this.inner.length - logits.positions;
    if (this.firstOutputRow < 0) this.firstOutputRow = this.inner.length - 1;
    const done = new Uint8Array(logits.positions * logits.heads);
    const codes = this.layout.maskCodes;
    // Lazily: only the rows decoding reads are rewritten (each once). Only head 1 follows the rule: its
    // choices are the output. Heads 2..k merely draft, and a draft from their plain argmax is accepted
    // about as often at a fraction of the cost (speculative decoding reads ~4 head rows per pass).
    logits.prepareRow = (position, head) => {
      const r = position * logits.heads + head;
      if (head > 0 || done[r]) return;
      done[r] = 1;
      const output = first + position - this.firstOutputRow;
      const record = this.probability && output >= 0 && output < POSITIONS;
      preferExpectedPatch(
        logits.data.subarray(r * logits.vocab, r * logits.vocab + codes),
        this.codebook,
        this.threshold,
        record ? this.patchScratch : undefined,
      );
      if (record) writePatch(this.patchScratch, this.probability as Float32Array, output);
    };
    return logits;
  }
}

/** Copies a 16x16 patch (row-major) to grid position `index` (row-major on the 16x16 grid) of a 256x256 map. */
function writePatch(patch: Float32Array, map: Float32Array, index: number): void {
  const top = Math.floor(index / GRID) * PATCH;
  const left = (index % GRID) * PATCH;
  for (let y = 0; y < PATCH; y++) map.set(patch.subarray(y * PATCH, (y + 1) * PATCH), (top + y) * GRID_PIXELS + left);
}

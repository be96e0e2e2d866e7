// Decoding rule for mask codes: instead of the most probable code, the code nearest to the expected
// patch. With ~1000 mixed codes a lung edge spreads its probability over many similar patterns, so the
// single most probable code is often background even when most of the mass says "part foreground".
// Here each pixel's foreground probability is Σ_c p(c)·bit_c(pixel); the patch thresholded at 0.5 is
// coded like a ground-truth patch (MaskCodebook.nearest) and that code's logit is raised to the top,
// so greedy and speculative decoding (argmax) pick it and still agree with each other.
import type { TokenLayout } from '../../shared/tokens';
import type { DecoderSession, HeadLogits } from '../segmenter/decoding';
import { WORDS } from '../tokenizers/binary-patches';
import { BACKGROUND_CODE, FOREGROUND_CODE, type MaskCodebook } from '../tokenizers/mask-codebook';

const PIXELS = 256;
/** Codes below this probability are skipped when summing (their share of any pixel is negligible). */
const MIN_PROBABILITY = 1e-4;

/** Rewrites one row of logits over the mask codes so the expected patch's code is the argmax. */
export function preferExpectedPatch(row: Float32Array, codebook: MaskCodebook): number {
  const k = codebook.size;
  const pixels = codebook.pixels();
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < k; c++) max = Math.max(max, row[c] as number);
  const probs = new Float64Array(k);
  let z = 0;
  for (let c = 0; c < k; c++) z += probs[c] = Math.exp((row[c] as number) - max);
  // Exact shortcuts for the common, confident rows: with P(all-background) > 1/2 no pixel can reach 1/2,
  // with P(all-foreground) > 1/2 every pixel does, so the expected patch is that flat patch.
  const flat =
    (probs[BACKGROUND_CODE] as number) / z > 0.5
      ? BACKGROUND_CODE
      : (probs[FOREGROUND_CODE] as number) / z > 0.5
        ? FOREGROUND_CODE
        : -1;
  if (flat >= 0) {
    row[flat] = max + 1;
    return flat;
  }
  const foreground = new Float64Array(PIXELS);
  for (let c = 0; c < k; c++) {
    const p = (probs[c] as number) / z;
    if (p < MIN_PROBABILITY) continue;
    const at = c * PIXELS;
    for (let j = 0; j < PIXELS; j++) foreground[j] = (foreground[j] as number) + p * (pixels[at + j] as number);
  }
  const patch = new Uint32Array(WORDS);
  for (let j = 0; j < PIXELS; j++)
    if ((foreground[j] as number) >= 0.5) patch[j >> 5] = ((patch[j >> 5] as number) | (1 << (j & 31))) >>> 0;
  const chosen = codebook.nearest(patch);
  row[chosen] = max + 1;
  return chosen;
}

/** A DecoderSession whose mask-code logits (each row as decoding reads it) follow the expected-patch rule. */
export class ExpectedPatchSession implements DecoderSession {
  constructor(
    private readonly inner: DecoderSession,
    private readonly codebook: MaskCodebook,
    private readonly layout: TokenLayout,
  ) {}

  get length(): number {
    return this.inner.length;
  }

  truncate(length: number): void {
    this.inner.truncate(length);
  }

  async extend(tokens: Int32Array): Promise<HeadLogits> {
    const logits = await this.inner.extend(tokens);
    const done = new Uint8Array(logits.positions * logits.heads);
    const codes = this.layout.maskCodes;
    // Lazily: only the rows decoding reads are rewritten (each once).
    logits.prepareRow = (position, head) => {
      const r = position * logits.heads + head;
      if (done[r]) return;
      done[r] = 1;
      preferExpectedPatch(logits.data.subarray(r * logits.vocab, r * logits.vocab + codes), this.codebook);
    };
    return logits;
  }
}

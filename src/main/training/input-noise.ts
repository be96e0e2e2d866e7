// Mask-token input corruption for teacher-forced training. With clean inputs the model learns that the
// next mask token is almost always the one above or before it, leans on that instead of the image, and at
// inference never leaves the all-background run it starts in (probed: given the true prefix it draws the
// lungs; given an all-background prefix it predicts background everywhere). Two corruptions of the
// *input* mask tokens (never the targets) make the image and the prompt the evidence to trust:
// - blanking: per sample a rate r ~ U(0, blank), each input replaced by background with probability r,
//   so prefixes that wrongly say "nothing here" (what greedy decoding produces) are seen in training;
// - noise: each remaining input replaced by a uniform random code with probability `rate`.
// Seeded per step, so a resumed run corrupts exactly as the first would have.
import { GRID_TOKENS } from '../../shared/tokens';
import { createRng } from '../data/rng';
import { BACKGROUND_CODE } from '../tokenizers/mask-codebook';

/**
 * In `tokens` ([batch, maxText + 256] prompt then mask inputs; `maxText`: the prompt's length), blanks and noises the mask inputs as above.
 * Returns how many were replaced.
 */
export function corruptMaskInputs(
  tokens: BigInt64Array,
  batch: number,
  maxText: number,
  maskCodes: number,
  rate: number,
  seed: number,
  blank = 0,
): number {
  if (rate < 0 || rate >= 1) throw new Error(`mask input noise must be in [0, 1), got ${rate}`);
  if (blank < 0 || blank > 1) throw new Error(`mask input blanking must be in [0, 1], got ${blank}`);
  const row = maxText + GRID_TOKENS;
  if (tokens.length !== batch * row) throw new Error(`expected ${batch * row} input tokens, got ${tokens.length}`);
  if (rate === 0 && blank === 0) return 0;
  const rng = createRng(seed);
  let replaced = 0;
  for (let b = 0; b < batch; b++) {
    const blankRate = blank * rng.next();
    for (let i = maxText; i < row; i++) {
      if (rng.next() < blankRate) {
        tokens[b * row + i] = BigInt(BACKGROUND_CODE);
        replaced++;
      } else if (rng.next() < rate) {
        tokens[b * row + i] = BigInt(Math.floor(rng.next() * maskCodes));
        replaced++;
      }
    }
  }
  return replaced;
}

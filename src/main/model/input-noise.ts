// Mask-token input corruption for teacher-forced training. With clean inputs the model learns that the
// next mask token is almost always the previous one (long runs of background), leans on that instead of
// the image, and at inference never leaves the all-background run it starts in. Replacing a fraction of
// the *input* mask tokens (never the targets) with random mask codes makes the image and the prompt the
// reliable evidence. Seeded per step, so a resumed run corrupts exactly as the first would have.
import { GRID_TOKENS } from '../../shared/tokens';
import { createRng } from '../data/rng';

/**
 * In `tokens` ([batch, maxText + 256] text then mask inputs), replaces each mask input with probability
 * `rate` by a uniform code in [0, maskCodes). Returns how many were replaced.
 */
export function corruptMaskInputs(
  tokens: BigInt64Array,
  batch: number,
  maxText: number,
  maskCodes: number,
  rate: number,
  seed: number,
): number {
  if (rate < 0 || rate >= 1) throw new Error(`mask input noise must be in [0, 1), got ${rate}`);
  const row = maxText + GRID_TOKENS;
  if (tokens.length !== batch * row) throw new Error(`expected ${batch * row} input tokens, got ${tokens.length}`);
  if (rate === 0) return 0;
  const rng = createRng(seed);
  let replaced = 0;
  for (let b = 0; b < batch; b++) {
    for (let i = maxText; i < row; i++) {
      if (rng.next() >= rate) continue;
      tokens[b * row + i] = BigInt(Math.floor(rng.next() * maskCodes));
      replaced++;
    }
  }
  return replaced;
}

import { describe, expect, it } from 'vitest';
import { GRID_SIDE, GRID_TOKENS, type TokenLayout } from '../../shared/tokens';
import { BACKGROUND_CODE, FOREGROUND_CODE } from '../tokenizers/mask-codebook';
import { maskLookahead } from './segment';

describe('mask lookahead guesses', () => {
  const layout = { eos: 1030 } as TokenLayout;
  const lookahead = maskLookahead(layout, 12);
  const guess = (i: number, tokens: Int32Array) => lookahead.guess(i, tokens);
  const tokens = new Int32Array(GRID_TOKENS + 1);
  tokens[3] = FOREGROUND_CODE;
  tokens[4] = 77; // a mixed code
  tokens[GRID_SIDE + 5] = FOREGROUND_CODE;

  it('repeats the flat code above, or on the first row the one to the left', () => {
    expect(lookahead.maxDraft).toBe(12);
    expect(guess(GRID_SIDE + 3, tokens)).toBe(FOREGROUND_CODE);
    expect(guess(2 * GRID_SIDE + 5, tokens)).toBe(FOREGROUND_CODE);
    expect(guess(GRID_SIDE + 9, tokens)).toBe(BACKGROUND_CODE);
    expect(guess(4, tokens)).toBe(FOREGROUND_CODE);
  });

  it('stops under a mixed code and at the very first token, and guesses EOS after the grid', () => {
    expect(guess(GRID_SIDE + 4, tokens)).toBeUndefined();
    expect(guess(5, tokens)).toBeUndefined();
    expect(guess(0, tokens)).toBeUndefined();
    expect(guess(GRID_TOKENS, tokens)).toBe(1030);
  });
});

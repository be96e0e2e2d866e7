import { describe, expect, it } from 'vitest';
import { GRID_SIDE, GRID_TOKENS, type TokenLayout } from '../../../shared/tokens';
import { readPrompt } from '../../prompt/reading';
import { BACKGROUND_CODE, FOREGROUND_CODE } from '../../tokenizers/mask-codebook';
import { LESION_CUT, maskCut, maskLookahead, PEAK_SHARE } from './segment';

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

describe('maskCut', () => {
  const at = (peak: number) => [0, peak]; // a map peaking at `peak`
  const bone = readPrompt('One benign osteochondroma lesion in the femur, located in the central region.');
  it('cuts a lesion answer at LESION_CUT, never above its decoding threshold', () => {
    expect(maskCut(bone, 0.5, at(0.9))).toBe(LESION_CUT);
    expect(maskCut(bone, 0.3, at(0.9))).toBe(Math.min(0.3, LESION_CUT));
    expect(maskCut(bone, 0.2, at(0.9))).toBe(0.2);
    expect(maskCut(bone, 0.5, at(0.9), 0.4)).toBe(0.4);
    expect(maskCut(bone, 0.5, at(0.9), 1)).toBe(0.5); // 1: as decoded
  });
  it("answers a lesion prompt with its map's most likely region when nothing reaches the cut", () => {
    expect(maskCut(bone, 0.3, at(0.2))).toBeCloseTo(PEAK_SHARE * 0.2, 12);
    expect(maskCut(bone, 0.3, at(LESION_CUT))).toBe(LESION_CUT); // the peak reaches the cut: nothing to do
    expect(maskCut(bone, 0.3, at(0))).toBe(LESION_CUT); // an all-zero map stays empty
  });
  it('leaves chest answers at their decoding threshold, even empty ones', () => {
    for (const text of ['left lung', 'Bilateral pulmonary infection, two infected areas', 'both lungs']) {
      expect(maskCut(readPrompt(text), 0.5, at(0.9))).toBe(0.5);
      expect(maskCut(readPrompt(text), 0.3, at(0.1))).toBe(0.3);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { WORDS } from '../tokenizers/binary-patches';
import { MaskCodebook } from '../tokenizers/mask-codebook';
import { HetMemory } from './het-memory';

// Codes: 0 background, 1 foreground, 2 = top row only (16 px), 3 = top half (128 px).
function codebook(): MaskCodebook {
  const bits = new Uint32Array(4 * WORDS);
  bits.fill(0xffffffff, WORDS, 2 * WORDS);
  bits[2 * WORDS] = 0xffff;
  bits.fill(0xffffffff, 3 * WORDS, 3 * WORDS + 4);
  return new MaskCodebook(bits);
}

describe('HET memory', () => {
  it('keeps the top H wrong tokens ranked by pixels wrong, EOS errors first', () => {
    const memory = new HetMemory(2, codebook());
    // targets 0 0 1 3 EOS(4); predicted: 2 (16 px off), ok, 3 (128 px off), ok, 0 (EOS wrong: 256)
    memory.record('a', [2, 0, 3, 3, 0], [0, 0, 1, 3, 4]);
    const out = { positions: new BigInt64Array(4), wrong: new BigInt64Array(4), weights: new Float32Array(4) };
    memory.fill('a', 0, out);
    memory.fill('unseen', 1, out);
    expect(Array.from(out.positions, Number)).toEqual([4, 2, 0, 0]);
    expect(Array.from(out.wrong, Number)).toEqual([0, 3, 0, 0]);
    expect(Array.from(out.weights)).toEqual([1, 1, 0, 0]);
  });

  it('round-trips through JSON and forgets errors a later epoch fixed', () => {
    const memory = new HetMemory(3, codebook());
    memory.record('a', [1, 1], [0, 1]);
    const copy = new HetMemory(3, codebook());
    copy.load(JSON.parse(JSON.stringify(memory.toJSON())));
    expect(copy.toJSON()).toEqual({ a: [{ position: 0, wrong: 1, deviation: 256 }] });
    copy.record('a', [0, 1], [0, 1]);
    expect(copy.toJSON()).toEqual({ a: [] });
  });
});

import { describe, expect, it } from 'vitest';
import { loadQwenEncoder, PAD_ID, TextVocab, UNK_ID } from './text-vocab';

/** A stand-in encoder for hand-checked cases: one id per character code. */
const charIds = (text: string) => [...text].map((c) => c.charCodeAt(0));

describe('text vocabulary', () => {
  it('maps the ids the training texts use to 2.. in ascending order, and anything else to UNK', () => {
    const vocab = TextVocab.build(['ba', 'ab'], charIds);
    // 'ba', 'ab' and their word forms ' ba', 'Ab', ... use a, b, A, B and space
    expect(vocab.qwenIds).toEqual([32, 65, 66, 97, 98]);
    expect(vocab.size).toBe(7);
    expect(Array.from(vocab.remap(charIds('abc')))).toEqual([5, 6, UNK_ID]);
    expect(vocab.toQwen([5, PAD_ID, UNK_ID, 6])).toEqual([97, 98]);
  });

  it('round-trips through its JSON file and refuses other files', () => {
    const vocab = TextVocab.build(['lung'], charIds);
    const parsed = TextVocab.parse(JSON.stringify(vocab));
    expect(parsed.qwenIds).toEqual(vocab.qwenIds);
    expect(() => TextVocab.parse('{"format":"other"}')).toThrow(/not a nextmask-text-vocab/);
    expect(() => TextVocab.parse(JSON.stringify({ ...vocab.toJSON(), qwenIds: [1, 1] }))).toThrow(/twice/);
  });

  it('uses the real Qwen3 tokenizer offline', async () => {
    const encode = await loadQwenEncoder();
    const vocab = TextVocab.build(['Bilateral pulmonary infection, upper left lung.'], encode);
    // 'upper' starts this text but not the training one: a different BPE token, still known
    const known = await vocab.encode('upper left lung');
    expect(known.length).toBeGreaterThan(0);
    expect(Array.from(known)).not.toContain(UNK_ID);
    expect(Array.from(await vocab.encode('fracture of the femur'))).toContain(UNK_ID);
  });
});

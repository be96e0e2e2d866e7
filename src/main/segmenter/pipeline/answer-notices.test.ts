// Notices and confidence on hand-made cases, with the shipped text vocabulary (English descriptions).
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { codingOf } from '../../../shared/labelmap/coding';
import { readPrompt } from '../../prompt/reading';
import { TextVocab } from '../../tokenizers/text-vocab';
import {
  answerCoding,
  answerConfidence,
  answerNotices as doubtsOf,
  fitText,
  LOW_CONFIDENCE,
  uncertaintyMap,
} from './answer-notices';

/** The notices alone. */
const answerNotices = (facts: Parameters<typeof doubtsOf>[0]) => doubtsOf(facts).notices;

let vocab: TextVocab;
beforeAll(async () => {
  vocab = TextVocab.parse(await readFile('models/base/text-vocab.json', 'utf8'));
}, 60_000);

const plane = (values: number[], width = 32) => ({
  width,
  height: values.length / width,
  data: Float32Array.from(values),
});

describe('fitText and answerNotices', () => {
  it('reads a training-style prompt whole and says nothing about it', async () => {
    const textFit = await fitText(vocab, 'Bilateral pulmonary infection, two infected areas, upper left lung.', 32);
    expect(textFit).toEqual({ words: 9, unknown: [], read: 9 });
    expect(answerNotices({ textFit, confidence: 0.9, modality: 'CR' })).toEqual([]);
  });

  it("names the words the prompt's reading did not understand", async () => {
    const textFit = await fitText(vocab, 'left lung Kerley lines', 32);
    const reading = readPrompt('left lung Kerley lines');
    expect(reading.unread).toEqual(['Kerley', 'lines']);
    const { notices, lowConfidence } = doubtsOf({ textFit, confidence: null, reading });
    expect(notices).toEqual(['not understood: Kerley, lines (the answer follows the words that were)']);
    expect(lowConfidence).toBe(false);
    expect(answerNotices({ textFit, confidence: null, reading: { ...reading, unread: [] } })).toEqual([]);
  });

  it('says when no word of the prompt was understood, and labels the answer low confidence', async () => {
    const reading = readPrompt('blorp zzz');
    const doubts = doubtsOf({ textFit: await fitText(vocab, 'blorp zzz', 32), confidence: 0.9, reading });
    expect(doubts.notices[0]).toBe('no word of the prompt was understood (blorp, zzz): the answer does not follow it');
    expect(doubts.lowConfidence).toBe(true);
  });

  it('says when most words are unknown to the vocabulary', async () => {
    const textFit = await fitText(vocab, 'Verschattung im linken Lungenunterfeld', 32);
    expect(textFit.words).toBe(4);
    expect(textFit.unknown.length).toBeGreaterThan(2);
    const [notice] = answerNotices({ textFit, confidence: null });
    expect(notice).toMatch(/^most of the prompt's words are unknown to the model \(\d of 4: /);
    const chinese = await fitText(vocab, '左肺下叶感染', 32);
    expect(answerNotices({ textFit: chinese, confidence: null })[0]).toMatch(/unknown to the model \(1 of 1/);
    // One unknown word among known ones is no notice.
    const mostlyKnown = await fitText(vocab, 'left lung Lungenunterfeld', 32);
    expect(answerNotices({ textFit: mostlyKnown, confidence: null })).toEqual([]);
  });

  it('says how much of a long prompt the model read', async () => {
    const long = Array.from({ length: 400 }, () => 'left lung').join(' ');
    const textFit = await fitText(vocab, long, 32);
    expect(textFit.words).toBe(800);
    expect(textFit.read).toBeGreaterThan(0);
    expect(textFit.read).toBeLessThanOrEqual(32);
    expect(answerNotices({ textFit, confidence: null })).toEqual([
      `the prompt is longer than the model reads: it read the first ${textFit.read} of 800 words`,
    ]);
  });

  it('says when the image is not a radiograph, and nothing for radiographs or unknown kinds', () => {
    const textFit = { words: 2, unknown: [], read: 2 };
    expect(answerNotices({ textFit, confidence: null, modality: 'MR' })).toEqual([
      'this is a MR image; the model was trained on chest and bone radiographs only, so the answer is unlikely to mean anything',
    ]);
    for (const modality of ['CR', 'DX', 'dx', 'OT'])
      expect(answerNotices({ textFit, confidence: null, modality })).toEqual([]);
  });

  it("says when a radiograph's BodyPartExamined is not a part the model was trained on", () => {
    const textFit = { words: 2, unknown: [], read: 2 };
    const notices = (bodyPart: string, modality = 'CR') =>
      answerNotices({ textFit, confidence: null, modality, bodyPart });
    for (const other of ['SKULL', 'ABDOMEN', 'Head', 'CSPINE'])
      expect(notices(other)).toEqual([
        `this image shows the ${other} (its BodyPartExamined); the model was trained on chest films and on bone tumours of the limbs and pelvis only, so the answer is unlikely to mean anything`,
      ]);
    // The chest and BTXRD's bones and joints, as DICOM names them or close, and a file that does not say.
    for (const trained of [
      'CHEST',
      'chest_pa',
      'THORAX',
      'KNEE',
      'LOWER LIMB',
      'HIP',
      'HAND',
      'UPPER EXTREMITY',
      '',
      '  ',
    ])
      expect(notices(trained)).toEqual([]);
    // An MR of the brain gets one notice, the modality's.
    expect(notices('BRAIN', 'MR')).toEqual([
      'this is a MR image; the model was trained on chest and bone radiographs only, so the answer is unlikely to mean anything',
    ]);
  });

  it('labels an answer below LOW_CONFIDENCE', () => {
    const textFit = { words: 2, unknown: [], read: 2 };
    expect(answerNotices({ textFit, confidence: LOW_CONFIDENCE - 0.01 })[0]).toMatch(/^low confidence \(0\.\d\d\)/);
    expect(answerNotices({ textFit, confidence: LOW_CONFIDENCE })).toEqual([]);
  });
});

describe('low confidence', () => {
  const textFit = { words: 2, unknown: [], read: 2 };
  const doubts = (prompt: string, more: Partial<Parameters<typeof doubtsOf>[0]> = {}) =>
    doubtsOf({ textFit, confidence: 0.95, modality: 'CR', reading: readPrompt(prompt), ...more });

  it('labels an answer to a prompt outside the model, saying first what the model does not cover', () => {
    expect(doubts('right pneumothorax')).toEqual({
      notices: [
        'the model does not segment pneumothorax: it covers lung infection, the lungs, and bone tumours of the limbs and pelvis',
      ],
      lowConfidence: true,
    });
    expect(doubts('enlarged heart').notices[0]).toMatch(/^the model does not segment the heart: /);
    const brain = doubts('brain tumour', { modality: 'MR', confidence: 0.5 });
    expect(brain.notices.map((n) => n.split(/[:;]/)[0])).toEqual([
      'the model does not segment the brain',
      'this is a MR image',
      'low confidence (0.50)',
    ]);
    expect(brain.lowConfidence).toBe(true);
  });

  it('asks "did you mean …?" for a typo that changes what the prompt names, and labels the answer', () => {
    expect(doubts('rigth lung')).toEqual({ notices: ['did you mean right lung?'], lowConfidence: true });
  });

  it('labels an answer under LOW_CONFIDENCE, the fallback, an image of another kind or mostly unknown words', () => {
    expect(doubts('right lung')).toEqual({ notices: [], lowConfidence: false });
    expect(doubts('right lung', { confidence: LOW_CONFIDENCE - 0.01 }).lowConfidence).toBe(true);
    expect(doubts('right lung', { threshold: 0.3 })).toEqual({ notices: [], lowConfidence: true });
    expect(doubts('right lung', { threshold: 0.5 }).lowConfidence).toBe(false);
    expect(doubts('right lung', { modality: 'CT' }).lowConfidence).toBe(true);
    expect(doubts('right lung', { bodyPart: 'SKULL' }).lowConfidence).toBe(true);
    expect(doubts('right lung', { textFit: { words: 2, unknown: ['a', 'b'], read: 2 } }).lowConfidence).toBe(true);
    // A prompt cut short is said, but the answer to what was read is as sure as it says.
    const long = doubts('right lung', { textFit: { words: 80, unknown: [], read: 30 } });
    expect(long.notices).toHaveLength(1);
    expect(long.lowConfidence).toBe(false);
  });
});

describe('answerCoding', () => {
  it("keeps the prompt's coding on a radiograph and codes nothing as a bone neoplasm on CT or MR", () => {
    const bone = readPrompt('bone tumour');
    expect(answerCoding(bone, 'CR')).toEqual(codingOf('bone-neoplasm'));
    expect(answerCoding(bone, undefined)).toEqual(codingOf('bone-neoplasm'));
    for (const modality of ['MR', 'CT']) expect(answerCoding(bone, modality)).toEqual(codingOf('tissue'));
    expect(answerCoding(readPrompt('brain tumour'), 'CR')).toBeNull();
  });
});

describe('answerConfidence and uncertaintyMap', () => {
  it('is 1 for a certain answer and lower as the patches with mass hold doubtful pixels', () => {
    const certain = plane([...Array(16 * 32).fill(0), ...Array(16 * 32).fill(1)]);
    expect(answerConfidence(certain)).toBe(1);
    // One patch of 0.5 next to a certain one: only patches with mass count, so (0 + 1) / 2.
    const half = plane(Array.from({ length: 32 * 32 }, (_, i) => (i % 32 < 16 ? 0.5 : i >= 16 * 32 ? 1 : 0)));
    expect(answerConfidence(half)).toBeCloseTo(1 / 3, 6); // patches: 0.5, 0.5 (left), 1 (lower right)
    expect(answerConfidence(plane(Array(32 * 32).fill(0)))).toBe(1);
    expect(Array.from(uncertaintyMap([plane([0, 0.5, 1, 0.25], 4)]))).toEqual([0, 255, 0, 128]);
  });

  it("maps doubt per pixel from the views' mean and their disagreement, nothing outside the gate", () => {
    // Pixel by pixel: all sure of 0; all at 1/2; split 1 against 0 (mean 1/2); 0.9 against 0.5 (mean 0.7,
    // spread 0.2: 1 − |2·0.7 − 1| = 0.6 over 2·0.2 = 0.4); sure of 1 but outside the gate.
    const views = [plane([0, 0.5, 1, 0.9, 1], 5), plane([0, 0.5, 0, 0.5, 1], 5)];
    const inside = { width: 5, height: 1, data: Uint8Array.of(1, 1, 1, 1, 0) };
    expect(Array.from(uncertaintyMap(views, inside))).toEqual([0, 255, 255, 153, 0]);
    // Three views voting 1, 1, 0: mean 2/3 gives 0.67, their spread (0.47) doubled gives 0.94.
    const votes = [plane([1], 1), plane([1], 1), plane([0], 1)];
    expect(uncertaintyMap(votes)[0]).toBe(Math.round((255 * 2 * Math.sqrt(2)) / 3));
  });
});

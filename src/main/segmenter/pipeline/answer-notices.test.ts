// Notices and confidence on hand-made cases, with the shipped text vocabulary (English descriptions).
import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { TextVocab } from '../../tokenizers/text-vocab';
import { answerConfidence, answerNotices, fitText, LOW_CONFIDENCE, uncertaintyMap } from './answer-notices';

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
    const notices = answerNotices({ textFit, confidence: null, unread: ['Kerley', 'lines'] });
    expect(notices).toEqual(['not understood: Kerley, lines (the answer follows the words that were)']);
    expect(answerNotices({ textFit, confidence: null, unread: [] })).toEqual([]);
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

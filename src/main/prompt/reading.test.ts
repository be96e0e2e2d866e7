import { describe, expect, it } from 'vitest';
import { inWindow, readingOf, readPrompt } from './reading';

describe('the reading of a prompt', () => {
  it("swaps the prompt's sides for a mirrored view, keeping the case, whole words only", () => {
    expect(readPrompt('Lower left lung and RIGHT lung, upper-right region; leftover Rightward').mirrored).toBe(
      'Lower right lung and LEFT lung, upper-left region; leftover Rightward',
    );
    expect(readPrompt('Left lung').mirrored).toBe('Right lung');
    expect(readPrompt('Left lung').text).toBe('Left lung');
  });

  it('is read once: a reading passed on is not read again', () => {
    const reading = readPrompt('left lung');
    expect(readingOf(reading)).toBe(reading);
    expect(readingOf('left lung')).toEqual(reading);
  });

  it("inside a pointed prompt's window reads the text without its film place, and keeps what it names", () => {
    const whole = readPrompt(
      'One benign osteochondroma lesion in the tibia of the lower limb (frontal view), located in the lower-left region.',
    );
    const windowed = inWindow(whole);
    expect(windowed.text).toBe('One benign osteochondroma lesion in the tibia of the lower limb (frontal view).');
    expect(windowed.mirrored).toBe(windowed.text);
    expect(windowed.filmCell).toBeNull();
    expect(whole.filmCell).toEqual({ row: 2, column: 0 });
    expect(windowed.canonical).toBe(windowed.text);
    const named = ({ text, mirrored, filmCell, canonical, ...rest }: typeof whole) => rest;
    expect(named(windowed)).toEqual(named(whole));
    expect(windowed.coding).toMatchObject({ region: { meaning: 'Bone' } });
  });

  it('keeps the words it did not understand, and gives the canonical term of those it did', () => {
    const reading = readPrompt('Bilateral GGOs and Kerley B lines, worse at the bases');
    expect(reading.unread).toEqual(['Kerley', 'B', 'lines', 'worse']);
    expect(reading.terms.map((t) => [t.text, t.term])).toEqual([
      ['Bilateral', 'bilateral'],
      ['GGOs', 'ground-glass opacity'],
      ['bases', 'lower'],
    ]);
    expect(
      readPrompt('One benign osteochondroma lesion in the tibia of the lower limb (frontal view).').unread,
    ).toEqual([]);
    expect(readPrompt('').unread).toEqual([]);
  });
});

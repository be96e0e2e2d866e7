import { describe, expect, it } from 'vitest';
import { codingOf, describeCoding } from '../../shared/labelmap/coding';
import { MAX_PROMPT_LENGTH, MAX_SHOWN_UNREAD } from '../../shared/shown-reading';
import { FINDINGS } from './lexicon/chest';
import { readPrompt } from './reading';
import { uncoveredNotice } from './scope';
import { EMPTY_PROMPT, NOTHING_READ, shownReading } from './shown-reading';

const shown = (prompt: string) => shownReading(readPrompt(prompt));
const terms = (prompt: string) => shown(prompt).terms;

describe('the reading the prompt box shows', () => {
  it('names a lung with its side', () => {
    expect(terms('left lung')).toEqual(['left lung']);
    expect(terms('Right lung')).toEqual(['right lung']);
    expect(terms('both lungs')).toEqual(['both lungs']);
  });

  it('names a chest finding, then where it lies, then how many', () => {
    expect(terms('Bilateral pulmonary infection, two infected areas, lower left lung and lower right lung')).toEqual([
      'infection',
      'both lungs',
      'lower zone',
      '2 areas',
    ]);
    expect(terms('two infected areas in the left lung')).toEqual(['infection', 'left lung', '2 areas']);
    expect(terms('two opacities, right lower zone')).toEqual(['opacity', 'right lung', 'lower zone', '2 areas']);
    expect(terms('RLL consolidation')).toEqual(['consolidation', 'right lung', 'middle and lower zones']);
  });

  it("names the finding in the lexicon's canonical words, however it was written", () => {
    expect(terms('bilateral GGOs, lower zones')).toEqual(['ground-glass opacity', 'both lungs', 'lower zone']);
    expect(terms('lung infection')).toEqual(['pneumonia', 'lungs']);
    expect(terms('patchy airspace opacities')).toEqual(['airspace opacity']);
    expect(terms('peripheral GGO right lower zone, PA view')).toEqual([
      'ground-glass opacity',
      'right lung',
      'lower zone',
      'peripheral',
      'frontal view',
    ]);
  });

  it('names a chest finding the lexicon has no word for by its coding', () => {
    const reading = readPrompt('right lower zone opacities');
    const unworded = { ...reading, terms: reading.terms.filter((t) => t.table !== FINDINGS.name) };
    expect(shownReading(unworded).terms).toEqual(['infection', 'right lung', 'lower zone']);
  });

  it('names both lungs when the prompt says so without naming either', () => {
    expect(terms('bilateral infection')).toEqual(['infection', 'both lungs']);
    expect(terms('infección pulmonar bilateral')).toEqual(['infection', 'both lungs']);
    expect(terms('infection in the lung')).toEqual(['infection', 'lungs']);
  });

  it('names each lung with its own zones when they differ', () => {
    expect(terms('infection in the upper left lung and the lower right lung')).toEqual([
      'infection',
      'right lower zone',
      'left upper zone',
    ]);
    expect(terms('infection in the left lung and the lower right lung')).toEqual([
      'infection',
      'right lower zone',
      'left lung',
    ]);
  });

  it("names a bone lesion's kind, the bone and where on it, what it looks like, the part of the film, the count", () => {
    expect(
      terms(
        'One benign osteochondroma lesion in the tibia of the lower limb (lateral view), located in the lower-left region.',
      ),
    ).toEqual(['osteochondroma', 'tibia', 'benign', 'lower left of the film', '1 lesion', 'lateral view']);
    expect(terms('Two malignant osteosarcoma lesions, located in the central region')).toEqual([
      'osteosarcoma',
      'malignant',
      'centre of the film',
      '2 lesions',
    ]);
    expect(terms('exostosis of the distal femur')).toEqual(['osteochondroma', 'distal femur']);
    expect(terms('GCT of the proximal tibia, metaphysis')).toEqual([
      'giant cell tumor',
      'proximal tibia',
      'metaphysis',
    ]);
    expect(terms('lytic lesion proximal tibia')).toEqual(['lesion', 'proximal tibia', 'lytic']);
    // A side names the bone's side, unless the film's ninth is read ("lower-left region": the film's left).
    expect(terms('left distal femur osteochondroma')).toEqual(['osteochondroma', 'left distal femur']);
    expect(terms('lesion of the lower leg')).toEqual(['lesion', 'lower limb']);
    // A malleolus is the end of its bone, and its "lateral" no view.
    expect(terms('osteochondroma of the lateral malleolus')).toEqual(['osteochondroma', 'distal fibula']);
    expect(terms('lesion of the medial malleolus')).toEqual(['lesion', 'distal tibia']);
    expect(terms('scapular lesion')).toEqual(['lesion', 'shoulder joint']);
  });

  it('says when a prompt names no finding', () => {
    expect(shown('no findings')).toMatchObject({ terms: ['no findings'], coding: null, problem: null });
  });

  it('carries the coding the segment gets, the same as the reading', () => {
    const reading = readPrompt('consolidation in the RLL');
    const { coding } = shownReading(reading);
    expect(coding).toEqual(reading.coding);
    expect(coding && describeCoding(coding)).toBe('Lung consolidation · right');
    expect(shown('left lung').coding).toEqual(codingOf('lung', 'left'));
  });

  it('says so in words for an empty prompt, and for one of which nothing was understood', () => {
    expect(shown('')).toMatchObject({ terms: [], problem: EMPTY_PROMPT });
    expect(shown('   ')).toMatchObject({ terms: [], problem: EMPTY_PROMPT });
    expect(shown('blorp zzz')).toMatchObject({ terms: [], unread: ['blorp', 'zzz'], problem: NOTHING_READ });
    // Another language: its basic words are read (lexicon/languages.ts); a language the lexicon lacks is not.
    expect(shown('infección pulmonar derecha')).toMatchObject({
      terms: ['infection', 'right lung'],
      unread: [],
      problem: null,
    });
    expect(shown('longontsteking beiderzijds')).toMatchObject({
      terms: [],
      unread: ['longontsteking', 'beiderzijds'],
      problem: NOTHING_READ,
    });
    expect(shown('left lung').problem).toBeNull();
  });

  it('lists the words not understood as typed, the first few, and counts the rest', () => {
    expect(shown('infection rigth lung')).toMatchObject({ terms: ['infection', 'lungs'], unread: ['rigth'] });
    const words = Array.from({ length: MAX_SHOWN_UNREAD + 5 }, (_, i) => `zz${i}`);
    const many = shown(`left lung ${words.join(' ')}`);
    expect(many.unread).toEqual(words.slice(0, MAX_SHOWN_UNREAD));
    expect(many.moreUnread).toBe(5);
    expect(many.terms).toEqual(['left lung']);
  });

  it('reads 10 000 characters at once', () => {
    const long = `bilateral infection lower zones ${'foo bar baz '.repeat(900)}`.slice(0, MAX_PROMPT_LENGTH);
    const started = performance.now();
    const reading = shown(long);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(reading).toMatchObject({ terms: ['infection', 'both lungs', 'lower zone'], moreUnread: expect.any(Number) });
    expect(reading.unread).toHaveLength(MAX_SHOWN_UNREAD);
    expect(reading.moreUnread).toBeGreaterThan(2000);
  });
});

describe('what the reading line warns of', () => {
  it('says what the model does not cover, and offers the corrected prompt for a typo', () => {
    expect(shown('right pneumothorax').outOfScope).toMatch(/^the model does not segment pneumothorax: it covers /);
    expect(shown('rigth lung').didYouMean).toBe('right lung');
    expect(shown('right lung')).toMatchObject({ outOfScope: null, didYouMean: null });
    for (const [prompt, part] of [
      ['brain tumour', 'the brain'],
      ['liver lesion', 'the liver'],
      ['rib lesion', 'the ribs and sternum'],
    ] as const)
      expect(shown(prompt), prompt).toMatchObject({ outOfScope: uncoveredNotice(part), coding: null });
  });
});

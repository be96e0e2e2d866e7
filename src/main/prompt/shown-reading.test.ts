import { describe, expect, it } from 'vitest';
import { codingOf, describeCoding } from '../../shared/labelmap/coding';
import { readPrompt } from './reading';
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
    expect(terms('lung infection')).toEqual(['infection', 'lungs']);
    expect(terms('two opacities, right lower zone')).toEqual(['infection', 'right lung', 'lower zone', '2 areas']);
    expect(terms('RLL consolidation')).toEqual(['consolidation', 'right lung', 'middle and lower zones']);
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

  it("names a bone lesion's kind, the part of the film and the count", () => {
    expect(
      terms(
        'One benign osteochondroma lesion in the tibia of the lower limb (lateral view), located in the lower-left region.',
      ),
    ).toEqual(['osteochondroma', 'lower left of the film', '1 lesion']);
    expect(terms('Two malignant osteosarcoma lesions, located in the central region')).toEqual([
      'osteosarcoma',
      'centre of the film',
      '2 lesions',
    ]);
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
    expect(shown('blorp zzz')).toMatchObject({ terms: [], coding: null, problem: NOTHING_READ });
    expect(shown('left lung').problem).toBeNull();
  });
});

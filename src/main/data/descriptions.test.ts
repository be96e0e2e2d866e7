import { describe, expect, it } from 'vitest';
import { countWord } from '../prompt/canonical';
import { deriveInfectionFindings } from './infection-findings';
import { canonicalInfectionText, variedInfectionText } from './infection-text';
import { canonicalLungPrompt, lungTargetMask, variedLungPrompt } from './lung-prompts';
import { splitLungs, zoneOfRow } from './lungs';
import { createRng } from './rng';
import { blankMask, fillRect } from './test-masks';

// A 64x64 PA chest film: the lung on the image's LEFT (x 5..25) is the patient's RIGHT lung,
// the lung on the image's RIGHT (x 38..58) is the patient's LEFT lung. Both span rows 10..57,
// so the zones are rows 10..25 (upper), 26..41 (middle), 42..57 (lower).
function lungs() {
  const m = blankMask(64, 64);
  fillRect(m, 5, 10, 25, 57);
  return fillRect(m, 38, 10, 58, 57);
}

function describeInfection(...rects: [number, number, number, number][]): string {
  const infection = blankMask(64, 64);
  for (const r of rects) fillRect(infection, ...r);
  return canonicalInfectionText(deriveInfectionFindings(infection, lungs()));
}

describe('lung sides', () => {
  it("puts the patient's left lung on the image's right", () => {
    const sides = splitLungs(lungs());
    expect(sides.left.data[30 * 64 + 50]).toBe(1);
    expect(sides.left.data[30 * 64 + 15]).toBe(0);
    expect(sides.right.data[30 * 64 + 15]).toBe(1);
    expect(sides.midlineX).toBeCloseTo(32, 5);
    expect(sides.extent.left).toEqual({ top: 10, bottom: 57 });
  });

  it('cuts a lung into equal thirds', () => {
    const extent = { top: 10, bottom: 57 };
    expect([10, 25, 26, 41, 42, 57].map((y) => zoneOfRow(y, extent))).toEqual([
      'upper',
      'upper',
      'middle',
      'middle',
      'lower',
      'lower',
    ]);
  });

  it('gives a lone lung the side its position implies', () => {
    const sides = splitLungs(fillRect(blankMask(64, 64), 38, 10, 58, 57));
    expect(sides.extent.right).toBeNull();
    expect(sides.extent.left).toEqual({ top: 10, bottom: 57 });
  });
});

describe('infection descriptions', () => {
  it('one area in the upper part of the image-right lung is the upper LEFT lung', () => {
    expect(describeInfection([42, 12, 52, 22])).toBe(
      'Unilateral pulmonary infection, one infected area, upper left lung.',
    );
  });

  it('names both lungs, left first, for a bilateral infection', () => {
    expect(describeInfection([42, 12, 52, 22], [8, 45, 20, 55])).toBe(
      'Bilateral pulmonary infection, two infected areas, upper left lung and lower right lung.',
    );
  });

  it('says "all" for an area over the whole lung and lists two zones as "upper middle"', () => {
    expect(describeInfection([5, 10, 25, 57])).toBe(
      'Unilateral pulmonary infection, one infected area, all right lung.',
    );
    expect(describeInfection([40, 12, 56, 38])).toBe(
      'Unilateral pulmonary infection, one infected area, upper middle left lung.',
    );
  });

  it('counts separate areas and ignores specks below the minimum size', () => {
    expect(describeInfection([40, 12, 44, 16], [50, 12, 54, 16], [40, 30, 44, 34], [0, 0, 1, 1])).toBe(
      'Unilateral pulmonary infection, three infected areas, upper middle left lung.',
    );
  });

  it('says there is no infection when the mask is empty', () => {
    expect(describeInfection()).toBe('No pulmonary infection.');
  });

  it('refuses masks of different sizes', () => {
    expect(() => deriveInfectionFindings(blankMask(32, 32), lungs())).toThrow(/32x32 but lung mask is 64x64/);
  });

  it('writes counts as words up to ten, then digits', () => {
    expect([1, 2, 10, 12].map(countWord)).toEqual(['one', 'two', 'ten', '12']);
  });
});

describe('wording variation', () => {
  const leftOnly = { count: 1, zones: { left: ['upper' as const], right: [] } };
  const bilateral = { count: 2, zones: { left: ['upper' as const], right: ['lower' as const] } };

  it('is deterministic under a seed and varies across seeds', () => {
    expect(variedInfectionText(bilateral, createRng(7))).toBe(variedInfectionText(bilateral, createRng(7)));
    const texts = new Set(Array.from({ length: 50 }, (_, s) => variedInfectionText(bilateral, createRng(s))));
    expect(texts.size).toBeGreaterThan(20);
  });

  it('never names a lung the findings do not have, nor half of a bilateral location', () => {
    for (let s = 0; s < 300; s++) {
      expect(variedInfectionText(leftOnly, createRng(s))).not.toMatch(/right/i);
      const text = variedInfectionText(bilateral, createRng(s));
      expect(/left/i.test(text)).toBe(/right/i.test(text));
    }
  });
});

describe('lung prompts', () => {
  it('targets the lung the prompt names', () => {
    const mask = lungs();
    const sides = splitLungs(mask);
    expect(lungTargetMask('left', mask, sides).data[30 * 64 + 50]).toBe(1);
    expect(lungTargetMask('left', mask, sides).data[30 * 64 + 15]).toBe(0);
    expect(lungTargetMask('both', mask, sides)).toBe(mask);
    expect(canonicalLungPrompt('both')).toBe('both lungs');
    for (let s = 0; s < 20; s++) expect(variedLungPrompt('right', createRng(s))).toMatch(/right/);
  });
});

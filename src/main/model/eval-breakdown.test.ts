import { describe, expect, it } from 'vitest';
import { breakdownMarkdown, evalBreakdown, SIZE_LABELS, sizeLabel } from './eval-breakdown';
import type { ImageScore } from './evaluate';

const score = (over: Partial<ImageScore>): ImageScore => ({
  group: 'btxrd',
  id: 'x',
  intersection: 0,
  predicted: 0,
  target: 0,
  dice: 0,
  iou: 0,
  pixels: 1000,
  threshold: 0.5,
  cut: 0.5,
  gated: null,
  zoomed: false,
  forwardPasses: 40,
  ms: 100,
  ...over,
});

describe('eval breakdown', () => {
  it('bins targets by their share of the image', () => {
    expect(SIZE_LABELS).toEqual(['empty target', '< 0.5%', '0.5%–2%', '2%–8%', '≥ 8%']);
    expect(sizeLabel(0)).toBe('empty target');
    expect(sizeLabel(0.001)).toBe('< 0.5%');
    expect(sizeLabel(0.005)).toBe('0.5%–2%');
    expect(sizeLabel(0.05)).toBe('2%–8%');
    expect(sizeLabel(0.5)).toBe('≥ 8%');
  });

  it('counts empty, missed and touched answers and fallbacks per bin and group', () => {
    const rows = evalBreakdown([
      score({ target: 3 }), // < 0.5%, nothing drawn
      score({ target: 10, predicted: 8, threshold: 0.4 }), // 0.5–2%, drawn elsewhere, by the fallback
      score({ target: 10, predicted: 10, intersection: 5, dice: 0.5 }), // 0.5–2%, touched
      score({ group: 'lung', target: 400, predicted: 400, intersection: 400, dice: 1 }),
    ]);
    expect([...rows.keys()]).toEqual(['btxrd', 'lung']);
    const btxrd = rows.get('btxrd') ?? [];
    expect(btxrd.map((r) => [r.size, r.images, r.empty, r.missed, r.touched, r.fallback])).toEqual([
      ['< 0.5%', 1, 1, 0, 0, 0],
      ['0.5%–2%', 2, 0, 1, 1, 1],
      ['all', 3, 1, 1, 1, 1],
    ]);
    expect(btxrd[1]?.meanDice).toBeCloseTo(0.25);
    expect(btxrd[2]?.meanDice).toBeCloseTo(0.5 / 3);
    expect(rows.get('lung')?.map((r) => r.size)).toEqual(['≥ 8%', 'all']);
    const md = breakdownMarkdown(rows);
    expect(md).toContain('btxrd:');
    expect(md).toContain('| 0.5%–2% | 2 | 0.250 | 0 | 1 | 1 | 1 |');
    expect(md).toContain('| all | 1 | 1.000 | 0 | 0 | 1 | 0 |');
  });
});

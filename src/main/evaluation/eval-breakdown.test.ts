import { describe, expect, it } from 'vitest';
import { breakdownMarkdown, evalBreakdown, SIZE_LABELS, sizeLabel } from './eval-breakdown';
import type { ImageScore } from './evaluate';

const score = (over: Partial<ImageScore>): ImageScore => ({
  group: 'btxrd',
  id: 'x',
  text: 'One benign osteochondroma lesion in the tibia of the lower limb (frontal view), located in the central region.',
  intersection: 0,
  predicted: 0,
  target: 0,
  dice: 0,
  iou: 0,
  pixels: 1000,
  threshold: 0.5,
  cut: 0.5,
  gated: null,
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
    expect(btxrd.map((r) => [r.label, r.images, r.empty, r.missed, r.touched, r.fallback])).toEqual([
      ['< 0.5%', 1, 1, 0, 0, 0],
      ['0.5%–2%', 2, 0, 1, 1, 1],
      ['all', 3, 1, 1, 1, 1],
    ]);
    expect(btxrd[1]?.meanDice).toBeCloseTo(0.25);
    expect(btxrd[2]?.meanDice).toBeCloseTo(0.5 / 3);
    expect(rows.get('lung')?.map((r) => r.label)).toEqual(['≥ 8%', 'all']);
    const md = breakdownMarkdown(rows);
    expect(md).toContain('btxrd:');
    expect(md).toContain('| 0.5%–2% | 2 | 0.250 | 0 | 1 | 1 | 1 |');
    expect(md).toContain('| all | 1 | 1.000 | 0 | 0 | 1 | 0 |');
  });

  it('groups by finding, the most frequent first, with the finding as the heading', () => {
    const cyst =
      'One benign simple bone cyst lesion in the femur of the pelvis (oblique view), located in the lower region.';
    const rows = evalBreakdown(
      [
        score({ target: 10, predicted: 10, intersection: 10, dice: 1, text: cyst }),
        score({ target: 10 }),
        score({ target: 10, predicted: 5, intersection: 5, dice: 0.6 }),
      ],
      'finding',
    );
    const btxrd = rows.get('btxrd') ?? [];
    expect(btxrd.map((r) => [r.label, r.images, r.empty, r.touched])).toEqual([
      ['osteochondroma', 2, 1, 1],
      ['simple bone cyst', 1, 0, 1],
      ['all', 3, 1, 2],
    ]);
    expect(btxrd[0]?.meanDice).toBeCloseTo(0.3);
    const md = breakdownMarkdown(rows, 'finding');
    expect(md).toContain('| the prompt names | images |');
    expect(md).toContain('| osteochondroma | 2 | 0.300 | 1 | 0 | 1 | 0 |');
  });
});

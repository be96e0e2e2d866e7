import { describe, expect, it } from 'vitest';
import { curvesMarkdown, curvesSvg, learningCurves } from './learning-curve';

const step = (s: number, loss: number, accuracy: number) =>
  JSON.stringify({ type: 'step', step: s, loss, ntp: loss - 1, accuracy, dataMs: 500, stepMs: 1500 });

describe('learningCurves', () => {
  const log = [
    JSON.stringify({ type: 'start' }),
    step(1, 10, 0.1),
    step(2, 8, 0.3),
    step(3, 6, 0.5),
    step(3, 4, 0.7), // logged again after a resume: the later line wins
    JSON.stringify({ type: 'val', step: 3, infection: { dice: 0.25 }, lung: { dice: 0.5 } }),
    '',
  ].join('\n');

  it('bins step means, keeps the last line of a repeated step and collects val Dice', () => {
    const c = learningCurves(log, 2);
    expect(c.bins).toHaveLength(2);
    expect(c.bins[0]).toMatchObject({ fromStep: 1, toStep: 2, loss: 9, ntp: 8, accuracy: 0.2, seconds: 2 });
    expect(c.bins[1]).toMatchObject({ fromStep: 3, toStep: 3, loss: 4, accuracy: 0.7 });
    expect(c.val).toEqual([{ step: 3, dice: { infection: 0.25, lung: 0.5 } }]);
  });

  it('renders a table and an SVG with one point per bin', () => {
    const c = learningCurves(log, 2);
    const md = curvesMarkdown(c);
    expect(md).toContain('| 1–2 | 9.000 | 8.000 | 0.200 | 2.00 |');
    expect(md).toContain('| 3 | 0.250 | 0.500 | – |');
    const svg = curvesSvg(c);
    expect(svg.match(/<polyline/g)).toHaveLength(2);
    expect(svg).toContain('<title>Training loss and teacher-forced accuracy over 3 steps</title>');
    expect(svg.match(/points="([^"]*)"/)?.[1]?.split(' ')).toHaveLength(2);
  });

  it('rejects a broken log and an empty one', () => {
    expect(() => learningCurves('{"type":"step"\n', 2)).toThrow(/line 1/);
    expect(() => curvesSvg(learningCurves('', 2))).toThrow(/no training steps/);
  });
});

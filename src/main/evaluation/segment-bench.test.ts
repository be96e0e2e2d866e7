import { describe, expect, it } from 'vitest';
import type { SampleSource } from '../data/samples';
import {
  benchSamples,
  benchSummary,
  diceDelta,
  modeStats,
  reliabilityBins,
  reliabilitySvg,
  replaceSection,
} from './segment-bench';

describe('bench:segment helpers', () => {
  it('modeStats: percentiles of the sorted times, mean passes, tokens per pass after the prompt pass', () => {
    const ms = Array.from({ length: 20 }, (_, i) => 100 + ((i * 7) % 20)); // 100..119, shuffled
    const stats = modeStats({ ms, forwardPasses: [...Array(10).fill(65), ...Array(10).fill(69)] }, 257);
    expect(stats).toEqual({ images: 20, p50Ms: 110, p95Ms: 119, meanPasses: 67, tokensPerStep: 257 / 66 });
    // Greedy: the prompt pass gives token 1, then one pass per token but the last.
    expect(modeStats({ ms: [5], forwardPasses: [257] }, 257).tokensPerStep).toBeCloseTo(257 / 256, 12);
    expect(() => modeStats({ ms: [1, 2], forwardPasses: [3] }, 257)).toThrow(/one pass count per image/);
  });

  it('benchSummary: pipeline percentiles, single-view speedup as a ratio of p50s, the Dice change', () => {
    const stats = (p50Ms: number) => ({ images: 30, p50Ms, p95Ms: 0, meanPasses: 0, tokensPerStep: 0 });
    const ms = Array.from({ length: 20 }, (_, i) => 500 + i * 10); // 500..690
    const summary = benchSummary(
      { firstDraftMs: ms.map((v) => v / 4), ms },
      { speculative: stats(200), kvGreedy: stats(610) },
      true,
      -0.00123456,
    );
    expect(summary).toEqual({
      firstDraftP50Ms: 150,
      p50Ms: 600,
      p95Ms: 690,
      singleViewP50Ms: 200,
      speedupVsKvGreedy: 3.05,
      identical: true,
      valDiceDelta: -0.0012,
    });
    expect(Object.keys(JSON.parse(JSON.stringify(summary)))).toEqual([
      'firstDraftP50Ms',
      'p50Ms',
      'p95Ms',
      'singleViewP50Ms',
      'speedupVsKvGreedy',
      'identical',
      'valDiceDelta',
    ]);
    expect(
      benchSummary({ firstDraftMs: [1], ms: [2] }, { speculative: stats(1), kvGreedy: stats(1) }, false, null),
    ).toMatchObject({ valDiceDelta: null, identical: false });
  });

  it('diceDelta: per-group mean change over the images both scored, averaged over groups', () => {
    const baseline = { lung: { a: 0.9, b: 0.8, gone: 0.1 }, btxrd: { c: 0.2 } };
    const current = { lung: { a: 0.95, b: 0.7, extra: 1 }, btxrd: { c: 0.3 }, infection: { d: 0.5 } };
    const { delta, images } = diceDelta(current, baseline);
    // lung: (0.05 − 0.1) / 2 = −0.025; btxrd: +0.1; infection has no baseline and is left out.
    expect(delta).toBeCloseTo((-0.025 + 0.1) / 2, 12);
    expect(images).toBe(3);
    expect(diceDelta({ lung: { a: 1 } }, {})).toEqual({ delta: null, images: 0 });
  });

  it('benchSamples: evenly spread per group, interleaved, at most the count asked', () => {
    const make = (group: SampleSource['group'], n: number) =>
      Array.from({ length: n }, (_, i) => ({ group, id: `${group}${i}` }) as SampleSource);
    const sources = [...make('infection', 10), ...make('lung', 30), ...make('btxrd', 2)];
    const ids = benchSamples(sources, 6).map((s) => s.id);
    expect(ids).toEqual(['infection0', 'lung0', 'btxrd0', 'infection5', 'lung15', 'btxrd1']);
    expect(benchSamples(sources, 7).map((s) => s.id)).toEqual([
      'infection0',
      'lung0',
      'btxrd0',
      'infection3',
      'lung10',
      'btxrd1',
      'infection6',
    ]);
  });

  it('replaceSection: replaces up to the next ## heading, appends when missing', () => {
    const doc = '# Benchmarks\n\n## A\n\nold a\n\n### sub\n\nold sub\n\n## B\n\nb\n';
    expect(replaceSection(doc, '## A', 'new a\n')).toBe('# Benchmarks\n\n## A\n\nnew a\n\n## B\n\nb\n');
    expect(replaceSection(doc, '## B', 'new b')).toBe(
      '# Benchmarks\n\n## A\n\nold a\n\n### sub\n\nold sub\n\n## B\n\nnew b\n',
    );
    expect(replaceSection('# Benchmarks\n', '## C', 'c')).toBe('# Benchmarks\n\n## C\n\nc\n');
  });

  it('reliabilityBins and reliabilitySvg: mean Dice per confidence tenth, one dot per answer', () => {
    const points = [
      { confidence: 0.05, dice: 0.1 },
      { confidence: 0.95, dice: 0.9 },
      { confidence: 1, dice: 0.7 },
    ];
    const bins = reliabilityBins(points);
    expect(bins.map((b) => [b.n, Number(b.dice.toFixed(6))])).toEqual([
      [1, 0.1],
      [2, 0.8],
    ]);
    expect(bins[1]?.from).toBeCloseTo(0.9, 12);
    const svg = reliabilitySvg(points, 'val');
    expect(svg.match(/<circle /g)).toHaveLength(3);
    expect(svg).toContain('<polyline');
  });
});

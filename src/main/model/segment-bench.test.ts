import { describe, expect, it } from 'vitest';
import type { SampleSource } from '../data/samples';
import { benchSamples, benchSummary, modeStats, replaceSection } from './segment-bench';

describe('bench:segment helpers', () => {
  it('modeStats: percentiles of the sorted times, mean passes, tokens per pass after the prompt pass', () => {
    const ms = Array.from({ length: 20 }, (_, i) => 100 + ((i * 7) % 20)); // 100..119, shuffled
    const stats = modeStats({ ms, forwardPasses: [...Array(10).fill(65), ...Array(10).fill(69)] }, 257);
    expect(stats).toEqual({ images: 20, p50Ms: 110, p95Ms: 119, meanPasses: 67, tokensPerStep: 257 / 66 });
    // Greedy: the prompt pass gives token 1, then one pass per token but the last.
    expect(modeStats({ ms: [5], forwardPasses: [257] }, 257).tokensPerStep).toBeCloseTo(257 / 256, 12);
    expect(() => modeStats({ ms: [1, 2], forwardPasses: [3] }, 257)).toThrow(/one pass count per image/);
  });

  it('benchSummary: speculative numbers, speedups as ratios of p50s', () => {
    const stats = (p50Ms: number, p95Ms: number, tokensPerStep: number) => ({
      images: 30,
      p50Ms,
      p95Ms,
      meanPasses: 0,
      tokensPerStep,
    });
    const summary = benchSummary(
      { speculative: stats(200, 260.04, 3.891), kvGreedy: stats(610, 700, 1.004), recompute: stats(15000, 16000, 1) },
      true,
    );
    expect(summary).toEqual({
      p50Ms: 200,
      p95Ms: 260,
      speedupVsKvGreedy: 3.05,
      speedupVsRecompute: 75,
      tokensPerStep: 3.89,
      identical: true,
    });
    expect(Object.keys(JSON.parse(JSON.stringify(summary)))).toEqual([
      'p50Ms',
      'p95Ms',
      'speedupVsKvGreedy',
      'speedupVsRecompute',
      'tokensPerStep',
      'identical',
    ]);
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
});

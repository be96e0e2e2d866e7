// The pure parts of `npm run bench:segment` (bench/segment.ts), kept here so they are unit-tested:
// per-mode statistics, the last-line JSON summary, and replacing the benchmark's section in
// docs/BENCHMARKS.md.
import type { Group, SampleSource } from '../data/samples';
import { percentile } from '../testing/timer-gaps';
import { spread } from './evaluate';

export interface ModeRuns {
  /** End-to-end milliseconds per image. */
  ms: number[];
  /** Forward passes per image, the prompt (prefill) pass included. */
  forwardPasses: number[];
}

export interface ModeStats {
  images: number;
  p50Ms: number;
  p95Ms: number;
  meanPasses: number;
  /** Output tokens per forward pass after the prompt pass, pooled over the images. */
  tokensPerStep: number;
}

/**
 * Statistics of one mode. Percentiles are taken as `percentile` (src/main/testing/timer-gaps.ts) does: the
 * value at index ⌊p·n⌋ of the sorted times (for an even n, p50 is the upper of the two middle values).
 * tokensPerStep = outputs · images / Σ (forwardPasses − 1): the prompt pass already yields the first
 * token, and every later pass yields the tokens it accepted, so greedy gives outputs / (outputs − 1).
 */
export function modeStats(runs: ModeRuns, outputs: number): ModeStats {
  const n = runs.ms.length;
  if (n === 0 || runs.forwardPasses.length !== n) throw new Error('need one time and one pass count per image');
  const sorted = [...runs.ms].sort((a, b) => a - b);
  const passes = runs.forwardPasses.reduce((s, p) => s + p, 0);
  return {
    images: n,
    p50Ms: percentile(sorted, 0.5),
    p95Ms: percentile(sorted, 0.95),
    meanPasses: passes / n,
    tokensPerStep: (outputs * n) / (passes - n),
  };
}

export interface BenchSummary {
  p50Ms: number;
  p95Ms: number;
  speedupVsKvGreedy: number;
  speedupVsRecompute: number;
  tokensPerStep: number;
  identical: boolean;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/** The last stdout line: speculative numbers; a speedup is the other mode's p50 over speculative's p50. */
export function benchSummary(
  modes: { speculative: ModeStats; kvGreedy: ModeStats; recompute: ModeStats },
  identical: boolean,
): BenchSummary {
  const { speculative, kvGreedy, recompute } = modes;
  return {
    p50Ms: round(speculative.p50Ms, 1),
    p95Ms: round(speculative.p95Ms, 1),
    speedupVsKvGreedy: round(kvGreedy.p50Ms / speculative.p50Ms, 2),
    speedupVsRecompute: round(recompute.p50Ms / speculative.p50Ms, 2),
    tokensPerStep: round(speculative.tokensPerStep, 2),
    identical,
  };
}

/**
 * `count` samples spread evenly over each group present (⌈count / groups⌉ per group, fewer where a group
 * is smaller), interleaved group by group so that any prefix (the recompute subset) is spread too; at most `count`.
 */
export function benchSamples(sources: SampleSource[], count: number): SampleSource[] {
  const groups = [...new Set(sources.map((s) => s.group))];
  const picked = spread(sources, Math.ceil(count / Math.max(1, groups.length)));
  const byGroup = new Map<Group, SampleSource[]>(groups.map((g) => [g, picked.filter((s) => s.group === g)]));
  const out: SampleSource[] = [];
  for (let i = 0; out.length < picked.length; i++) {
    for (const g of groups) {
      const s = byGroup.get(g)?.[i];
      if (s) out.push(s);
    }
  }
  return out.slice(0, count);
}

/** Replaces the `## …` section titled `heading` (up to the next `## ` heading) with `body`, or appends it. */
export function replaceSection(doc: string, heading: string, body: string): string {
  const section = `${heading}\n\n${body.trim()}\n`;
  const lines = doc.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) return `${doc.trimEnd()}\n\n${section}`;
  let end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  if (end < 0) end = lines.length;
  const before = lines.slice(0, start).join('\n');
  const after = lines.slice(end).join('\n');
  return `${before ? `${before}\n` : ''}${section}${after ? `\n${after}` : ''}`;
}

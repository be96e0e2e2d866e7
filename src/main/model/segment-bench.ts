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
  /** The default pipeline from a decoded frame: to its first draft, and to its answer. */
  firstDraftP50Ms: number;
  p50Ms: number;
  p95Ms: number;
  /** One view, one decode (speculative NkTP + lookahead), no gate. */
  singleViewP50Ms: number;
  speedupVsKvGreedy: number;
  /** Single view: speculative gave KV greedy's tokens and masks on every image. */
  identical: boolean;
  /** Change of the per-image val Dice (group means, averaged over groups) against the recorded baseline; null without one. */
  valDiceDelta: number | null;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/** Percentiles of a list of times as modeStats takes them. */
export function timeStats(ms: readonly number[]): { p50Ms: number; p95Ms: number } {
  if (ms.length === 0) throw new Error('no times');
  const sorted = [...ms].sort((a, b) => a - b);
  return { p50Ms: percentile(sorted, 0.5), p95Ms: percentile(sorted, 0.95) };
}

/** The last stdout line; the speedup is KV greedy's single-view p50 over speculative's. */
export function benchSummary(
  pipeline: { firstDraftMs: readonly number[]; ms: readonly number[] },
  single: { speculative: ModeStats; kvGreedy: ModeStats },
  identical: boolean,
  valDiceDelta: number | null,
): BenchSummary {
  const answer = timeStats(pipeline.ms);
  return {
    firstDraftP50Ms: round(timeStats(pipeline.firstDraftMs).p50Ms, 1),
    p50Ms: round(answer.p50Ms, 1),
    p95Ms: round(answer.p95Ms, 1),
    singleViewP50Ms: round(single.speculative.p50Ms, 1),
    speedupVsKvGreedy: round(single.kvGreedy.p50Ms / single.speculative.p50Ms, 2),
    identical,
    valDiceDelta: valDiceDelta === null ? null : round(valDiceDelta, 4),
  };
}

/** Per-image Dice keyed by group and sample id. */
export type ImageDice = Partial<Record<Group, Record<string, number>>>;

/**
 * The change of val Dice against `baseline`: per group, the mean over the images both scored of
 * (current − baseline); then the mean over the groups. Null when no image is shared.
 */
export function diceDelta(current: ImageDice, baseline: ImageDice): { delta: number | null; images: number } {
  const perGroup: number[] = [];
  let images = 0;
  for (const [group, scores] of Object.entries(current) as [Group, Record<string, number>][]) {
    const base = baseline[group] ?? {};
    const shared = Object.keys(scores).filter((id) => base[id] !== undefined);
    if (shared.length === 0) continue;
    images += shared.length;
    perGroup.push(shared.reduce((s, id) => s + (scores[id] as number) - (base[id] as number), 0) / shared.length);
  }
  return { delta: perGroup.length ? perGroup.reduce((s, d) => s + d, 0) / perGroup.length : null, images };
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

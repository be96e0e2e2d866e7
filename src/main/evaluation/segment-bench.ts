// The pure parts of `npm run bench:segment` (bench/segment.ts), kept here so they are unit-tested:
// per-mode statistics, the last-line JSON summary, and replacing the benchmark's section in
// docs/BENCHMARKS.md.
import type { Group, SampleSource } from '../data/samples';
import { percentile } from '../evaluation/average';
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

/** One answer's confidence (answer-notices.ts) and its Dice. */
export interface ConfidencePoint {
  confidence: number;
  dice: number;
}

/** Mean Dice per confidence bin of width `width` ([0, width), …, the last closed at 1); empty bins left out. */
export function reliabilityBins(
  points: readonly ConfidencePoint[],
  width = 0.1,
): { from: number; to: number; n: number; dice: number }[] {
  const bins = Math.round(1 / width);
  const sums = Array.from({ length: bins }, () => ({ n: 0, dice: 0 }));
  for (const p of points) {
    const bin = sums[Math.min(bins - 1, Math.max(0, Math.floor(p.confidence / width)))] as { n: number; dice: number };
    bin.n++;
    bin.dice += p.dice;
  }
  return sums.flatMap((s, i) => (s.n ? [{ from: i * width, to: (i + 1) * width, n: s.n, dice: s.dice / s.n }] : []));
}

/** The reliability plot: each answer as a dot (confidence, Dice), and the binned mean Dice as a line. */
export function reliabilitySvg(points: readonly ConfidencePoint[], title: string): string {
  const [w, h, m] = [480, 360, 48];
  const x = (c: number) => (m + c * (w - 2 * m)).toFixed(1);
  const y = (d: number) => (h - m - d * (h - 2 * m)).toFixed(1);
  const dots = points.map(
    (p) => `<circle cx="${x(p.confidence)}" cy="${y(p.dice)}" r="2" fill="#4a7ab5" fill-opacity="0.5"/>`,
  );
  const line = reliabilityBins(points)
    .map((b) => `${x((b.from + b.to) / 2)},${y(b.dice)}`)
    .join(' ');
  const ticks = [0, 0.2, 0.4, 0.6, 0.8, 1].flatMap((t) => [
    `<text x="${x(t)}" y="${h - m + 16}" font-size="11" text-anchor="middle">${t}</text>`,
    `<text x="${m - 6}" y="${y(t)}" font-size="11" text-anchor="end" dominant-baseline="middle">${t}</text>`,
  ]);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">
<title>${title}</title>
<rect width="${w}" height="${h}" fill="white"/>
<text x="${w / 2}" y="20" font-size="13" text-anchor="middle">${title}</text>
<line x1="${m}" y1="${h - m}" x2="${w - m}" y2="${h - m}" stroke="black"/>
<line x1="${m}" y1="${m}" x2="${m}" y2="${h - m}" stroke="black"/>
${ticks.join('\n')}
<text x="${w / 2}" y="${h - 10}" font-size="12" text-anchor="middle">confidence</text>
<text x="14" y="${h / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${h / 2})">Dice</text>
${dots.join('\n')}
<polyline points="${line}" fill="none" stroke="#c0392b" stroke-width="2"/>
</svg>
`;
}

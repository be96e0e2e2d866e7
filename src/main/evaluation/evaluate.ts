// Scores a model on a split by the LViT protocol: per group, LViT Dice/IoU per image (threshold 0.5,
// empty on empty = 1) and pooled over all pixels, at the source size; plus mean milliseconds per image.
import { type Gate, isFallback } from '../../shared/segment-types';
import type { RegionClick } from '../../shared/tokens';
import { correctionClick } from '../data/correction-clicks';
import { deriveSeed } from '../data/rng';
import { type Group, listSamples, loadSample, type Sample, type SampleSource } from '../data/samples';
import { unitPlane } from '../imaging/model-input';
import type { DecodeRule } from '../model-files/model-folder';
import type { Feed } from '../prompt/reading';
import { segmentPointed } from '../segmenter/pipeline/pointed';
import { type MaskSource, type Segmentation, type SegmentOptions, segment } from '../segmenter/pipeline/segment';
import type { View } from '../segmenter/pipeline/test-time-views';
import type { SegmentationModel } from '../segmenter/runtime/model-files';
import { type PromptMode, simulatedBox } from './prompt-modes';
import { diceOf, type MetricSummary, type Overlap, overlap, SegmentationScores } from './segmentation';

/** A group's scores; with clicks:N, `dice` is after the N-th click and `diceByClick` lists each click's. */
export type GroupSummary = MetricSummary & { diceByClick?: number[] };

export type EvalSummary = Partial<Record<Group, GroupSummary>> & {
  msPerImage: number;
  /** Model runs per image (greedy needs 257; fewer means NkTP drafts were accepted). */
  forwardPassesPerImage: number;
  /** The same scores had empty answers stayed empty (segment.ts EMPTY_FALLBACK), from the same run. */
  withoutFallback: Partial<Record<Group, MetricSummary>>;
  /** Images answered by the fallback, per group. */
  fallbacks: Partial<Record<Group, number>>;
};

/** One image's score, for looking at failures one by one (`nextmask eval --per-image`). */
export interface ImageScore extends Overlap {
  group: Group;
  id: string;
  /** The prompt the answer was given for. */
  text: string;
  /** The text the model read instead, where it was not the prompt (its canonical reading; EvalOptions.feed). */
  fed?: string;
  /** The item's tag (EvalItem.tag), e.g. the style of a paraphrase prompt. */
  tag?: string;
  dice: number;
  iou: number;
  /** Pixels of the mask (the source image's size), so sizes can be read as fractions. */
  pixels: number;
  /** The expected-patch threshold that gave the mask (below 0.5: the fallback's; null under argmax). */
  threshold: number | null;
  /** Where the mask was cut from the probability map (segment.ts maskCut; null under argmax). */
  cut: number | null;
  /** Which gate kept the answer inside the places the prompt names (segment.ts), if any. */
  gated: Gate | null;
  forwardPasses: number;
  ms: number;
}

/** One answer to score: a sample, with a prompt other than its template (`text`) and a label for the summary (`tag`). */
export interface EvalItem {
  source: SampleSource;
  text?: string;
  tag?: string;
}

export interface EvalOptions {
  /** Score exactly these items (in this order) instead of the split's samples; `perGroup` does not apply. */
  items?: readonly EvalItem[];
  /** What the model reads: each prompt's canonical text (default) or the prompt as typed (segment()'s `feed`). */
  feed?: Feed;
  /** Score at most this many samples per group (evenly spread), e.g. for quick val checks in training. */
  perGroup?: number;
  /** Only these groups (default: all). */
  groups?: readonly Group[];
  onProgress?: (done: number, total: number) => void;
  onImage?: (score: ImageScore) => void;
  rule?: DecodeRule;
  /** Thresholds for empty answers (segment()'s `fallback`; default EMPTY_FALLBACK). */
  fallback?: readonly number[];
  /** Expected rule: pixels from the codes or the probabilities (segment()'s `maskFrom`). */
  maskFrom?: MaskSource;
  /** Test-time views (segment()'s `views`; default TEST_TIME_VIEWS). */
  views?: readonly View[];
  /** The lung and film-region gates (segment()'s `gate`; default on). */
  gate?: boolean;
  /** Where lesion answers are cut from their maps (segment()'s `lesionCut`; default LESION_CUT). */
  lesionCut?: number;
  /** How the simulated clinician prompts (prompt-modes.ts; default text). */
  promptMode?: PromptMode;
  /** Seeds the simulated boxes (default 1). */
  seed?: number;
  /**
   * The model that answers the text, before any click and where there is no box to draw (default `model`):
   * the app's text model when `model` is the region model beside it, so clicks:N starts from the answer a
   * clinician would see.
   */
  textModel?: SegmentationModel;
}

type Answer = Pick<Segmentation, 'mask' | 'forwardPasses' | 'threshold' | 'cut' | 'gated' | 'fed'> & {
  diceByClick?: number[];
};

/** The simulated clinician's answer on one sample (`index`: its place in the list, for the box's seed). */
async function answerAs(
  model: SegmentationModel,
  textModel: SegmentationModel,
  sample: Sample,
  mode: PromptMode,
  options: SegmentOptions,
  seed: number,
  index: number,
): Promise<Answer> {
  const target = sample.sourceMask;
  const textAnswer = () => segment(textModel, sample.image, sample.text, target, options);
  if (mode.kind === 'text') return textAnswer();
  const film = unitPlane(sample.film);
  if (mode.kind === 'box') {
    const box = simulatedBox(target, deriveSeed(seed, index));
    // An empty target has no box to draw: the text answers.
    if (!box) return textAnswer();
    return segmentPointed(
      model,
      film,
      mode.withText ? sample.text : '',
      { box },
      {
        ...options,
        ...(textModel !== model ? { textModel } : {}),
      },
    );
  }
  let answer: Answer = await textAnswer();
  let passes = answer.forwardPasses;
  const clicks: RegionClick[] = [];
  const diceByClick: number[] = [];
  for (let k = 0; k < mode.clicks; k++) {
    const click = clicks.length < (model.layout.regionClicks ?? 0) ? correctionClick(answer.mask, target) : null;
    if (click) {
      clicks.push(click);
      answer = await segmentPointed(model, film, sample.text, { clicks, previous: answer.mask }, options);
      passes += answer.forwardPasses;
    }
    diceByClick.push(diceOf(overlap(answer.mask.data, target.data)));
  }
  return { ...answer, forwardPasses: passes, diceByClick };
}

/** At most `perGroup` samples per group, evenly spread over each group's list (all when 0 or undefined). */
export function spread(sources: SampleSource[], perGroup: number | undefined): SampleSource[] {
  return spreadBy(sources, perGroup, (s) => s.group);
}

/** At most `per` items of each key, evenly spread over each key's list, keys in order of first use (all when 0). */
export function spreadBy<T>(items: readonly T[], per: number | undefined, key: (item: T) => string): T[] {
  if (!per) return [...items];
  const byKey = new Map<string, T[]>();
  for (const item of items) byKey.set(key(item), [...(byKey.get(key(item)) ?? []), item]);
  return [...byKey.values()].flatMap((list) => {
    const step = Math.max(1, list.length / per);
    return Array.from({ length: Math.min(per, list.length) }, (_, i) => list[Math.floor(i * step)] as T);
  });
}

/** The group's scores in `m`, created on first use. */
function scoresOf(m: Map<Group, SegmentationScores>, group: Group): SegmentationScores {
  const found = m.get(group);
  if (found) return found;
  const created = new SegmentationScores();
  m.set(group, created);
  return created;
}

export async function evaluateModel(
  model: SegmentationModel,
  dataDir: string,
  split: string,
  options: EvalOptions = {},
): Promise<EvalSummary> {
  const items =
    options.items ??
    spread(await listSamples(dataDir, split, options.groups ? { groups: options.groups } : {}), options.perGroup).map(
      (source): EvalItem => ({ source }),
    );
  if (items.length === 0) throw new Error(`${dataDir} has no samples in split "${split}"`);
  const scores = new Map<Group, SegmentationScores>();
  const firstScores = new Map<Group, SegmentationScores>();
  const fallbacks: Partial<Record<Group, number>> = {};
  const clickSums: Partial<Record<Group, number[]>> = {};
  let ms = 0;
  let passes = 0;
  const segmentOptions = {
    ...(options.rule ? { rule: options.rule } : {}),
    ...(options.fallback ? { fallback: options.fallback } : {}),
    ...(options.maskFrom ? { maskFrom: options.maskFrom } : {}),
    ...(options.views ? { views: options.views } : {}),
    ...(options.gate === false ? { gate: false } : {}),
    ...(options.lesionCut !== undefined ? { lesionCut: options.lesionCut } : {}),
    ...(options.feed ? { feed: options.feed } : {}),
  };
  for (const [i, item] of items.entries()) {
    const { source } = item;
    const loaded = await loadSample(source);
    const prompt = item.text ?? loaded.text;
    const sample = { ...loaded, text: prompt };
    const started = performance.now();
    const answer = await answerAs(
      model,
      options.textModel ?? model,
      sample,
      options.promptMode ?? { kind: 'text' },
      segmentOptions,
      options.seed ?? 1,
      i,
    );
    const { mask, forwardPasses, threshold, cut, gated, fed } = answer;
    if (answer.diceByClick) {
      const sums = clickSums[source.group] ?? [];
      answer.diceByClick.forEach((d, k) => {
        sums[k] = (sums[k] ?? 0) + d;
      });
      clickSums[source.group] = sums;
    }
    const imageMs = performance.now() - started;
    ms += imageMs;
    passes += forwardPasses;
    const { group } = source;
    const score = scoresOf(scores, group).add(mask.data, sample.sourceMask.data);
    // A fallback runs only after an empty first answer, so that answer is known without decoding again.
    const fellBack = isFallback(threshold);
    if (fellBack) fallbacks[group] = (fallbacks[group] ?? 0) + 1;
    scoresOf(firstScores, group).add(fellBack ? new Uint8Array(mask.data.length) : mask.data, sample.sourceMask.data);
    options.onImage?.({
      group,
      id: source.id,
      text: prompt,
      ...(fed !== prompt ? { fed } : {}),
      ...(item.tag !== undefined ? { tag: item.tag } : {}),
      ...score,
      pixels: mask.data.length,
      threshold,
      cut,
      gated,
      forwardPasses,
      ms: imageMs,
    });
    options.onProgress?.(i + 1, items.length);
  }
  const summarise = (m: Map<Group, SegmentationScores>) =>
    Object.fromEntries([...m].map(([group, s]) => [group, s.summary()])) as Partial<Record<Group, MetricSummary>>;
  const byGroup: Partial<Record<Group, GroupSummary>> = summarise(scores);
  for (const [group, sums] of Object.entries(clickSums) as [Group, number[]][]) {
    const summary = byGroup[group] as GroupSummary;
    byGroup[group] = { ...summary, diceByClick: sums.map((d) => d / summary.n) };
  }
  return {
    ...byGroup,
    msPerImage: ms / items.length,
    forwardPassesPerImage: passes / items.length,
    withoutFallback: summarise(firstScores),
    fallbacks,
  };
}

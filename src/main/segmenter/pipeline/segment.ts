// One prompt → one mask, as a short pipeline: plan the decodes (the test-time views of the image,
// test-time-views.ts, and for a prompt placing a finding in the lungs the model's own "both lungs" for the
// lung gate, lung-gate.ts), decode them (KV-cached, speculative from the NkTP heads: greedy's tokens),
// average the views' expected-patch probability maps, keep the answer inside the places the prompt names
// (the lung gate, or for a prompt not about the chest the film-region gate, film-region.ts), and cut the
// map into the mask at the source size. An empty answer is decoded again at lower thresholds
// (EMPTY_FALLBACK): the prompt asked for something, and the model's less confident answer is more use to a
// radiologist than nothing, provided it is labelled as such (`threshold`). A lesion's answer is cut from
// its map lower (LESION_CUT). Under the argmax rule one view is decoded and its codes are the mask.

import { EXPECTED_THRESHOLD, type Gate } from '../../../shared/segment-types';
import {
  allowedOutput,
  GRID_SIDE,
  GRID_TOKENS,
  priorLevels,
  type RegionPrompt,
  type TokenLayout,
} from '../../../shared/tokens';
import { canonicalLungPrompt } from '../../data/lung-prompts';
import { type Mask, type Plane, resizeThreshold, thresholdMap } from '../../imaging/resample';
import type { LungPlaces } from '../../prompt/grammar';
import { type Feed, modelText, type PromptReading, readingOf } from '../../prompt/reading';
import { GRID_PIXELS } from '../../tokenizers/grid';
import { BACKGROUND_CODE, FOREGROUND_CODE } from '../../tokenizers/mask-codebook';
import type { DecoderModels } from '../runtime/decoder-session';
import { kvRows, promptIds } from '../runtime/decoder-session';
import { type DecodeOptions, type DecoderSession, type Lookahead, speculativeDecode } from '../runtime/decoding';
import { ExpectedPatchSession } from '../runtime/expected-patch';
import type { DecodeRule, SegmentationModel } from '../runtime/model-files';
import { encodeImage, type Tokenizers } from '../runtime/tokenizer-set';
import { answerConfidence, fitText, type TextFit, uncertaintyMap } from './answer-notices';
import { cellWindow } from './film-region';
import { gated, gateRegion } from './lung-gate';
import {
  IDENTITY_VIEW,
  isIntensityView,
  mapBack,
  meanMap,
  POINTED_VIEWS,
  TEST_TIME_VIEWS,
  type View,
  viewImage,
} from './test-time-views';

export interface Segmentation {
  mask: Mask;
  /** The 256 mask codes decoded (of the first view). */
  tokens: Int32Array;
  /** All decodes' passes together. */
  forwardPasses: number;
  /** The expected-patch threshold that gave this mask (below 0.5: a low-confidence fallback); null under argmax. */
  threshold: number | null;
  /** Where the mask was cut from `probability`: the threshold, or lower for a lesion (maskCut); null under argmax. */
  cut: number | null;
  /** Expected rule: each pixel's foreground probability on the 256x256 grid, the mean over the views (gated). */
  probability: Plane<Float32Array> | null;
  /** Which gate kept the answer inside the places the prompt names: the lung gate, the film-region gate, or none. */
  gated: Gate | null;
  /** How sure the answer is, from the model's token probabilities (answer-notices.ts); null under argmax. */
  confidence: number | null;
  /** Where to check first: per pixel of the 256x256 grid, 0..255, from the views' maps (uncertaintyMap); null under argmax. */
  uncertainty: Uint8Array | null;
  /** How the text the model read (`fed`) fit its text part: unknown words, words past its text length. */
  textFit: TextFit;
  /** The text the model read: the prompt's canonical reading, or the prompt as typed (SegmentOptions.feed). */
  fed: string;
}

/**
 * How the expected rule turns its answer into pixels: the decoded codes' patterns (`codes`), or the
 * expected patches behind them thresholded at the decoding threshold (`probability`), which is not
 * limited to the codebook's ~1000 patterns.
 */
export type MaskSource = 'codes' | 'probability';

/** How one decode runs: bench:segment compares greedy with speculative, and the KV cache with a full recompute. */
export interface Decoding {
  /** Decoding algorithm (default speculative; greedyDecode gives the same tokens in more passes). */
  decode: typeof speculativeDecode;
  /** The decoder sessions of a round's decodes, one per decode (default: rows of one KV-cached batch, kvRows). */
  sessions: (model: DecoderModels, rows: number) => DecoderSession[];
  /** Longest speculative draft, the heads' guesses included; 0 drafts from the heads only (see maskLookahead). */
  maxDraft: number;
}

/** Mask tokens decoded so far out of `total` (256 per decode planned for the round); `retry`: a lower-threshold round. */
export interface SegmentProgress {
  decoded: number;
  total: number;
  retry: boolean;
}

export interface SegmentOptions {
  /** What the model reads: the prompt's canonical text where the reading has one (default), or the prompt as typed. */
  feed?: Feed;
  /** Default: the model's own rule (model.json `decodeRule`), else argmax. */
  rule?: DecodeRule;
  /** Expected rule only (default `probability`). */
  maskFrom?: MaskSource;
  /** Expected rule with `probability` masks: views whose maps are averaged (default TEST_TIME_VIEWS). */
  views?: readonly View[];
  /** Expected rule with `probability` masks: the lung and film-region gates (default true). */
  gate?: boolean;
  /** Expected rule: thresholds tried in turn while the mask is empty (default EMPTY_FALLBACK; [] for none). */
  fallback?: readonly number[];
  /** Expected rule with `probability` masks: where a lesion's answer is cut from its map (default the model's fitted cut, model.json `decoding.lesionCut`, else LESION_CUT; 1: at the decoding threshold, maskCut's peak rule aside). */
  lesionCut?: number;
  decoding?: Partial<Decoding>;
  /** Where the clinician pointed, in the input's frame (a model with a region part; pointed.ts makes it). */
  region?: RegionPrompt;
  /** The previous answer on the input's grid, as the model's prior (a model with a region part). */
  prior?: Mask | null;
  signal?: AbortSignal;
  /** Called as mask tokens are decoded. */
  onProgress?: (progress: SegmentProgress) => void;
  /**
   * Called as each view of the first round lands: the answer so far on the 256x256 grid, averaged, gated
   * as far as the gates are known, and cut as the answer will be (the first call: the first view alone).
   */
  onDraft?: (draft: Mask) => void;
}

/**
 * Lower expected-patch thresholds for an empty first answer. Measured on val (models/MODEL_CARD.md,
 * "Empty answers"): small bone lesions are most often under half a patch's worth of probability.
 */
export const EMPTY_FALLBACK: readonly number[] = [0.4, 0.3];

/**
 * Where an answer to a prompt not about the chest (the reading's `chest`: a bone lesion, for this model) is cut
 * from its probability map when that is below the decoding threshold. Such answers lack recall most: on
 * val, cutting the same maps at 0.2–0.3 instead of 0.5 raised btxrd Dice by ≈0.03 (docs/MODEL.md,
 * "Cutting lesion answers lower"); 0.25 is the middle of that plateau. Chest answers keep the threshold:
 * a lower global one cost the lungs (models/MODEL_CARD.md).
 */
export const LESION_CUT = 0.25;

/**
 * A lesion prompt says there is one: when even the fallback's map has nothing at the cut, the answer is
 * its most likely region, the pixels at this share of the map's peak or more (labelled low confidence by
 * the fallback's threshold). On val it gave 13 such btxrd answers Dice ≈0.15 instead of 0.
 */
export const PEAK_SHARE = 0.5;

/**
 * The probability the answer to a prompt (`chest`: about the chest), decoded at `threshold` into the
 * probability `map`, is cut at: the threshold for a chest prompt; for a lesion, LESION_CUT where lower, or
 * PEAK_SHARE of a lower peak.
 */
export function maskCut(
  { chest }: Pick<PromptReading, 'chest'>,
  threshold: number,
  map: ArrayLike<number>,
  lesionCut = LESION_CUT,
): number {
  if (chest) return threshold;
  const cut = Math.min(threshold, lesionCut);
  let peak = 0;
  for (let i = 0; i < map.length; i++) peak = Math.max(peak, map[i] as number);
  return peak >= cut || peak <= 0 ? cut : PEAK_SHARE * peak;
}

/** Default longest draft: 16 was fastest end to end on the shipped model (docs/MODEL.md, "Inference"). */
export const MAX_DRAFT = 16;

/**
 * Draft guesses past the NkTP heads for mask tokens. Masks are smooth, so a code is most often the one
 * above it on the 16-wide grid (on the first row, the one to its left); after the grid comes EOS.
 * Long runs of background rows are then verified a row per pass instead of k tokens per pass.
 */
export function maskLookahead(layout: TokenLayout, maxDraft: number): Lookahead {
  return {
    maxDraft,
    guess: (i, tokens) => {
      if (i >= GRID_TOKENS) return layout.eos;
      const near = i >= GRID_SIDE ? tokens[i - GRID_SIDE] : i > 0 ? tokens[i - 1] : undefined;
      // Edges move from row to row: a mixed code above is rarely repeated, so the draft stops there.
      return near === BACKGROUND_CODE || near === FOREGROUND_CODE ? near : undefined;
    },
  };
}

/** One decode: a prompt (image and text ids), decoded at an expected-patch threshold (null: argmax). */
interface Decode {
  prompt: Int32Array;
  threshold: number | null;
}

interface Decoded {
  /** The 256 mask codes. */
  tokens: Int32Array;
  /** The expected patches behind them on the 256x256 grid (null under argmax). */
  map: Plane<Float32Array> | null;
  forwardPasses: number;
}

/** Runs one decode on `cached` (a row of the round's batch), then closes it; `onTokens` hears how many outputs are final. */
async function runDecode(
  model: SegmentationModel,
  { prompt, threshold }: Decode,
  decoding: Decoding,
  cached: DecoderSession,
  options: Pick<DecodeOptions, 'signal' | 'onTokens'>,
): Promise<Decoded> {
  const { layout, tokenizers } = model;
  const data = threshold === null ? null : new Float32Array(GRID_PIXELS * GRID_PIXELS);
  const session = data ? new ExpectedPatchSession(cached, tokenizers.mask, layout, threshold as number, data) : cached;
  try {
    const result = await decoding.decode(session, prompt, {
      steps: layout.outputs,
      allowed: (i: number) => allowedOutput(layout, i),
      ...(decoding.maxDraft > 0 ? { lookahead: maskLookahead(layout, decoding.maxDraft) } : {}),
      ...options,
    });
    return {
      tokens: result.tokens.subarray(0, GRID_TOKENS),
      map: data && { width: GRID_PIXELS, height: GRID_PIXELS, data },
      forwardPasses: result.forwardPasses,
    };
  } finally {
    session.close?.();
  }
}

const DEFAULT_DECODING: Decoding = {
  decode: speculativeDecode,
  sessions: kvRows,
  maxDraft: MAX_DRAFT,
};

/** The prompt ids of a text on an image; `pointed` false: without the region and prior. */
type PromptIds = (image: Plane<Float32Array>, text: string, pointed?: boolean) => Promise<Int32Array>;

/**
 * The prompt ids of `text` on `image` (text encodings shared: at most the prompt and its mirror), with the
 * region and prior of a pointed prompt (the lung gate's decode takes neither).
 */
function promptsFor(
  tokenizers: Tokenizers,
  layout: TokenLayout,
  region: RegionPrompt,
  prior: Int32Array | null,
): PromptIds {
  const texts = new Map<string, Promise<Int32Array>>();
  const encodeText = (t: string) =>
    texts.get(t) ?? (texts.set(t, tokenizers.text.encode(t)).get(t) as Promise<Int32Array>);
  return async (image: Plane<Float32Array>, text: string, pointed = true) =>
    promptIds(
      layout,
      await encodeImage(tokenizers, image),
      await encodeText(text),
      pointed ? region : {},
      pointed ? prior : null,
    );
}

/**
 * The answer to `prompt` on `image`, at `size`. `prompt`: the text, or its reading where the caller has
 * read it already (the app and the CLI read a prompt once, for its coding too).
 */
export async function segment(
  model: SegmentationModel,
  image: Plane<Float32Array>,
  prompt: string | PromptReading,
  size: { width: number; height: number },
  options: SegmentOptions = {},
): Promise<Segmentation> {
  const reading = readingOf(prompt);
  const plan = planDecodes(model, reading, options);
  const { answer, forwardPasses } = await decodeRounds(model, image, reading, plan, options);
  return finishAnswer(model, reading, plan, answer, forwardPasses, size);
}

/** What segment() decodes for a prompt, decided before the first decode. */
interface Plan {
  /** Probability maps: the views' maps are averaged, gated and cut (codes and argmax decode the input as it is). */
  maps: boolean;
  views: readonly View[];
  /** Where the lung gate keeps a chest finding; null: no lung gate. */
  places: LungPlaces | null;
  /** The film-region gate's window on the grid; null: no film-region gate. */
  nearCell: Mask | null;
  /** The expected-patch thresholds tried in turn while the answer is empty (null: argmax). */
  thresholds: readonly (number | null)[];
  decoding: Decoding;
  prompt: PromptIds;
  /** Mask tokens of the whole answer, for progress: 256 per view, and the lung gate's decode. */
  total: number;
  /** The text the model reads, and as a mirrored view reads it. */
  fed: { text: string; mirrored: string };
  /** Where a lesion's answer is cut: the explicit option, else the model's fitted cut (undefined: LESION_CUT). */
  lesionCut: number | undefined;
}

function planDecodes(model: SegmentationModel, reading: PromptReading, options: SegmentOptions): Plan {
  const { layout, tokenizers } = model;
  const { rule = model.rule ?? 'argmax', maskFrom = 'probability' } = options;
  // Only probability maps can be averaged, gated and cut: codes and argmax decode the input as it is.
  const maps = rule === 'expected' && maskFrom === 'probability';
  const region = options.region ?? {};
  const pointed = Boolean(region.box || region.clicks?.length || options.prior);
  const views = maps ? (options.views ?? (pointed ? POINTED_VIEWS : TEST_TIME_VIEWS)) : [IDENTITY_VIEW];
  if (views.length === 0) throw new Error('segment: views must hold at least one view');
  // A view that moves the image would move what was pointed at: pointed prompts take intensity views only.
  if (pointed && views.some((v) => !isIntensityView(v)))
    throw new Error('segment: a pointed prompt takes intensity views only');
  const gate = maps && options.gate !== false && !pointed;
  const places = gate ? reading.lungPlaces : null;
  const cell = gate ? reading.filmCell : null;
  const priorIds = layout.priorTokens > 0 && options.prior ? priorLevels(options.prior) : null;
  return {
    maps,
    views,
    places,
    nearCell: cell && cellWindow(cell, GRID_PIXELS, GRID_PIXELS),
    thresholds: rule === 'expected' ? [EXPECTED_THRESHOLD, ...(options.fallback ?? EMPTY_FALLBACK)] : [null],
    decoding: { ...DEFAULT_DECODING, ...options.decoding },
    prompt: promptsFor(tokenizers, layout, region, priorIds),
    // One total for the whole answer: a retry round counts against it again, its gate decode already done.
    total: GRID_TOKENS * (views.length + (places ? 1 : 0)),
    fed: modelText(reading, options.feed),
    lesionCut: options.lesionCut ?? model.decoding.lesionCut,
  };
}

/** What one round decoded: the views at one threshold, and the lung gate's region. */
interface RoundDecodes {
  /** The first view's 256 mask codes. */
  tokens: Int32Array;
  /** The views' maps in view order, brought back to the input's frame (none under argmax). */
  viewMaps: Plane<Float32Array>[];
  /** The lung gate's region (decoded in the first round); null without a lung gate. */
  lungs: Mask | null;
  forwardPasses: number;
}

/** One round's answer: its views averaged and kept inside the gate. */
interface Answer {
  threshold: number | null;
  tokens: Int32Array;
  probability: Plane<Float32Array> | null;
  viewMaps: Plane<Float32Array>[];
  /** Where a gate kept the answer (the lung gate's region or the film's window), or null. */
  inside: Mask | null;
  lungs: Mask | null;
}

/** Decodes at each threshold in turn until an answer is not empty; that answer (or the last round's). */
async function decodeRounds(
  model: SegmentationModel,
  image: Plane<Float32Array>,
  reading: PromptReading,
  plan: Plan,
  options: SegmentOptions,
): Promise<{ answer: Answer; forwardPasses: number }> {
  let forwardPasses = 0;
  // undefined: the lung gate's region is still to decode (in the first round).
  let lungs: Mask | null | undefined = plan.places ? undefined : null;
  let answer: Answer | null = null;
  for (const [index, threshold] of plan.thresholds.entries()) {
    const round = await decodeRound(model, image, reading, plan, { index, threshold, lungs }, options);
    forwardPasses += round.forwardPasses;
    lungs = round.lungs;
    answer = roundAnswer(round, threshold, plan.nearCell);
    if (answered(answer)) break;
  }
  return { answer: answer as Answer, forwardPasses };
}

/** Which round, at which threshold, with the lung gate's region as known (undefined: to decode now). */
interface RoundInput {
  index: number;
  threshold: number | null;
  lungs: Mask | null | undefined;
}

/**
 * One round: the views, and in the first round the lung gate's decode, decode as one batch. With a draft
 * to show, the first view decodes alone first (its map is the first draft, at once) and the rest as one
 * batch after it; their drafts refine the first in view order.
 */
async function decodeRound(
  model: SegmentationModel,
  image: Plane<Float32Array>,
  reading: PromptReading,
  plan: Plan,
  round: RoundInput,
  options: SegmentOptions,
): Promise<RoundDecodes> {
  const { views, places, decoding, prompt, fed } = plan;
  const { signal, onDraft } = options;
  const gateDecode = round.lungs === undefined;
  const rows = [
    ...views.map((view) => () => prompt(viewImage(image, view), view.mirror ? fed.mirrored : fed.text)),
    ...(gateDecode ? [() => prompt(image, canonicalLungPrompt('both'), false)] : []),
  ];
  const indices = rows.map((_, i) => i);
  const batches = onDraft && round.index === 0 && rows.length > 1 ? [[0], indices.slice(1)] : [indices];
  const onTokens = roundProgress(plan, round, rows.length, options.onProgress);
  const viewMaps: (Plane<Float32Array> | null)[] = views.map(() => null);
  let tokens: Int32Array = new Int32Array(0);
  let lungs = round.lungs;
  let forwardPasses = 0;
  const landed =
    onDraft && round.index === 0
      ? inViewOrder(views.length, (count) => {
          const maps = viewMaps.slice(0, count).filter((m): m is Plane<Float32Array> => m !== null);
          onDraft(draftOf(model, reading, round.threshold, tokens, maps, lungs ?? plan.nearCell, plan.lesionCut));
        })
      : null;
  const decodeRow = async (i: number, session: DecoderSession) => {
    const decodeOptions = { ...(signal ? { signal } : {}), ...(onTokens ? { onTokens: onTokens(i) } : {}) };
    const decode = {
      prompt: await (rows[i] as () => Promise<Int32Array>)().catch(leave(session)),
      threshold: i < views.length ? round.threshold : EXPECTED_THRESHOLD,
    };
    const decoded = await runDecode(model, decode, decoding, session, decodeOptions);
    forwardPasses += decoded.forwardPasses;
    if (i === views.length) {
      const found = thresholdMap(decoded.map as Plane<Float32Array>, EXPECTED_THRESHOLD);
      lungs = gateRegion(found, places as LungPlaces);
      return;
    }
    if (i === 0) tokens = decoded.tokens;
    viewMaps[i] = decoded.map && mapBack(decoded.map, views[i] as View);
    landed?.(i);
  };
  for (const batch of batches) {
    const sessions = decoding.sessions(model, batch.length);
    await Promise.all(batch.map((i, row) => decodeRow(i, sessions[row] as DecoderSession)));
  }
  const maps = viewMaps.filter((m): m is Plane<Float32Array> => m !== null);
  return { tokens, viewMaps: maps, lungs: lungs ?? null, forwardPasses };
}

/**
 * A round's progress reporter: per row, the `onTokens` of its decode, which reports the answer's mask
 * tokens so far (the lung gate's 256 counted as done in a retry round); null without `onProgress`.
 */
function roundProgress(
  plan: Plan,
  round: RoundInput,
  rows: number,
  onProgress: SegmentOptions['onProgress'],
): ((row: number) => (tokens: Int32Array, count: number) => void) | null {
  if (!onProgress) return null;
  const produced = new Array<number>(rows).fill(0);
  const done = plan.places && round.lungs !== undefined ? GRID_TOKENS : 0;
  const retry = round.index > 0;
  return (row) => (_, count) => {
    produced[row] = Math.min(count, GRID_TOKENS);
    onProgress({ decoded: done + produced.reduce((a, b) => a + b, 0), total: plan.total, retry });
  };
}

/**
 * Calls `draft(n)` as the first n of `count` views have all landed: a view that lands before the ones
 * ahead of it waits for them. Returns what to call as view i lands.
 */
function inViewOrder(count: number, draft: (landed: number) => void): (view: number) => void {
  const landed = new Array<boolean>(count).fill(false);
  let drafted = 0;
  return (view) => {
    landed[view] = true;
    while (drafted < count && landed[drafted]) {
      drafted++;
      draft(drafted);
    }
  };
}

/** A round's views averaged, and kept inside the gate. */
function roundAnswer(round: RoundDecodes, threshold: number | null, nearCell: Mask | null): Answer {
  const { tokens, viewMaps, lungs } = round;
  let probability = threshold === null ? null : meanMap(viewMaps);
  // The two gates never meet: the lung gate needs a chest prompt, the film's a prompt not about the chest.
  const inside = lungs ?? nearCell;
  if (probability && inside) probability = gated(probability, inside);
  return { threshold, tokens, probability, viewMaps, inside, lungs };
}

/** Whether an answer has any pixel (one view: a pixel reaches the threshold exactly where its patch got a code other than background). */
function answered({ probability, threshold, tokens }: Answer): boolean {
  return probability
    ? probability.data.some((p) => p >= (threshold as number))
    : tokens.some((c) => c !== BACKGROUND_CODE);
}

/** The kept answer as the mask at `size`, with what it says about itself. */
async function finishAnswer(
  model: SegmentationModel,
  reading: PromptReading,
  plan: Plan,
  answer: Answer,
  forwardPasses: number,
  size: { width: number; height: number },
): Promise<Segmentation> {
  const { layout, tokenizers } = model;
  const { threshold, tokens, probability, viewMaps, inside, lungs } = answer;
  const maps = plan.maps && probability !== null;
  // Only the kept round's views count, so the map is made once, after the rounds.
  const uncertainty = maps ? uncertaintyMap(viewMaps, inside) : null;
  const cut =
    threshold === null || !probability ? threshold : maskCut(reading, threshold, probability.data, plan.lesionCut);
  const mask = maps
    ? resizeThreshold(probability, size.width, size.height, cut as number)
    : tokenizers.mask.detokenize(tokens, size.width, size.height);
  const gatedBy = lungs ? 'lungs' : plan.nearCell && probability ? 'film' : null;
  const confidence = maps ? answerConfidence(probability) : null;
  const textFit = await fitText(tokenizers.text, plan.fed.text, layout.maxText);
  const fed = plan.fed.text;
  return {
    mask,
    tokens,
    forwardPasses,
    threshold,
    cut,
    probability,
    gated: gatedBy,
    confidence,
    uncertainty,
    textFit,
    fed,
  };
}

/** A rejection handler that closes `session` (its row never starts, so the batch must not wait for it). */
function leave(session: DecoderSession) {
  return (error: unknown): never => {
    session.close?.();
    throw error;
  };
}

/** The answer so far on the 256x256 grid, cut as the final answer will be. */
function draftOf(
  model: SegmentationModel,
  reading: PromptReading,
  threshold: number | null,
  tokens: Int32Array,
  viewMaps: readonly Plane<Float32Array>[],
  inside: Mask | null,
  lesionCut?: number,
): Mask {
  if (threshold === null || viewMaps.length === 0)
    return model.tokenizers.mask.detokenize(tokens, GRID_PIXELS, GRID_PIXELS);
  let map = meanMap(viewMaps);
  if (inside) map = gated(map, inside);
  return thresholdMap(map, maskCut(reading, threshold, map.data, lesionCut));
}

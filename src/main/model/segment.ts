// One prompt → one mask: tokenize the 256x256 image and the text, decode the mask tokens with the
// KV-cached session (speculative from the NkTP heads; same tokens as greedy), detokenize to the
// source size. Under the expected rule each of a few test-time views of the image (test-time-views.ts)
// is decoded, their expected-patch probability maps averaged, kept inside the lungs and zones a chest
// prompt names (lung-gate.ts) and thresholded; an empty answer is
// decoded again at lower thresholds (see EMPTY_FALLBACK): the prompt asked for something, and the
// model's less confident answer is more use to a radiologist than nothing, provided it is labelled as
// such (`threshold`). An answer to a prompt not about the chest (a bone lesion) is kept near the part of
// the film the prompt names (film-region.ts), gets a second, zoomed look at that part by the model folder's
// zoom model when the caller passes the film (zoom-pass.ts), and is cut from its map lower (LESION_CUT).
import { EXPECTED_THRESHOLD, type Gate } from '../../shared/segment-types';
import { allowedOutput, GRID_SIDE, GRID_TOKENS, type TokenLayout } from '../../shared/tokens';
import type { Box } from '../data/crop';
import { canonicalLungPrompt } from '../data/lung-prompts';
import { type Mask, type Plane, resizeThreshold, thresholdMap } from '../data/resample';
import { type DecoderSession, type Lookahead, speculativeDecode } from '../segmenter/decoding';
import { GRID_PIXELS } from '../tokenizers/grid';
import { BACKGROUND_CODE, FOREGROUND_CODE } from '../tokenizers/mask-codebook';
import type { DecoderModels } from './decoder-session';
import { KvDecoderSession, promptIds } from './decoder-session';
import { ExpectedPatchSession } from './expected-patch';
import { cellWindow, filmCell } from './film-region';
import { gated, gateRegion, type LungPlaces, lungPlaces, mentionsLungs } from './lung-gate';
import { IDENTITY_VIEW, mapBack, meanMap, TEST_TIME_VIEWS, type View, viewImage, viewText } from './test-time-views';
import { encodeImage, type Tokenizers } from './tokenizer-set';
import { type Film, zoomBoxFor, zoomedMap, zoomInput } from './zoom-pass';

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
  /** The box of the film (its pixels) a zoomed second look added to the answer in, or null. */
  zoomed: Box | null;
}

/** What segment() runs: a model folder's sessions and tokenizers, and its zoom model if it has one. */
export type SegmentModel = DecoderModels & { tokenizers: Tokenizers; rule?: DecodeRule; zoom?: SegmentModel };

/**
 * How the expected rule turns its answer into pixels: the decoded codes' patterns (`codes`), or the
 * expected patches behind them thresholded at the decoding threshold (`probability`), which is not
 * limited to the codebook's ~1000 patterns.
 */
export type MaskSource = 'codes' | 'probability';

/** How a mask code is chosen from a head's logits: the most probable code, or see expected-patch.ts. */
export type DecodeRule = 'argmax' | 'expected';

export interface SegmentOptions {
  /** Default: the model's own rule (model.json `decodeRule`), else argmax. */
  rule?: DecodeRule;
  signal?: AbortSignal;
  /** Decoding algorithm (default speculative; greedyDecode gives the same tokens in more passes). */
  decode?: typeof speculativeDecode;
  /** The decoder session (default KV-cached); bench:segment swaps in a full recompute. */
  session?: (model: DecoderModels) => DecoderSession;
  /** Longest speculative draft, the heads' guesses included; 0 drafts from the heads only (see maskLookahead). */
  maxDraft?: number;
  /** Expected rule: thresholds tried in turn while the mask is empty (default EMPTY_FALLBACK; [] for none). */
  fallback?: readonly number[];
  /** Expected rule with `probability` masks: where a lesion's answer is cut from its map (default LESION_CUT; 1: at the decoding threshold, maskCut's peak rule aside). */
  lesionCut?: number;
  /** Expected rule only (default `probability`). */
  maskFrom?: MaskSource;
  /** Expected rule with `probability` masks: views whose maps are averaged (default TEST_TIME_VIEWS). */
  views?: readonly View[];
  /**
   * Expected rule with `probability` masks: keep the answer inside the lungs and zones a chest prompt
   * names, as the model's own answer to "both lungs" (one more decode) finds them, and a lesion's near
   * the part of the film its prompt names (film-region.ts) (default true).
   */
  gate?: boolean;
  /**
   * The film at its own size (`size`): with it, a prompt not about the chest that names a part of the film
   * gets a zoomed second look there by the model's zoom model, if it has one (zoom-pass.ts).
   */
  film?: Film;
  /** The zoomed second look when it applies (default true). */
  zoom?: boolean;
  /** Called before each decode: its index over the whole call, and how many decodes are planned so far. */
  onDecode?: (index: number, planned: number) => void;
}

/**
 * Lower expected-patch thresholds for an empty first answer. Measured on val (models/MODEL_CARD.md,
 * "Empty answers"): small bone lesions are most often under half a patch's worth of probability.
 */
export const EMPTY_FALLBACK: readonly number[] = [0.4, 0.3];

/**
 * Where an answer to a prompt not about the chest (mentionsLungs: a bone lesion, for this model) is cut
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
 * The probability the answer to `text`, decoded at `threshold` into the probability `map`, is cut at:
 * the threshold for a chest prompt; for a lesion, LESION_CUT where lower, or PEAK_SHARE of a lower peak.
 */
export function maskCut(text: string, threshold: number, map: ArrayLike<number>, lesionCut = LESION_CUT): number {
  if (mentionsLungs(text)) return threshold;
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

export async function segment(
  model: SegmentModel,
  image: Plane<Float32Array>,
  text: string,
  size: { width: number; height: number },
  options: SegmentOptions = {},
): Promise<Segmentation> {
  const { layout, tokenizers } = model;
  const { signal, rule = model.rule ?? 'argmax', decode = speculativeDecode, maxDraft = MAX_DRAFT } = options;
  const { maskFrom = 'probability' } = options;
  // Only probability maps can be averaged or gated: codes and argmax decode the input as it is.
  const maps = rule === 'expected' && maskFrom === 'probability';
  const views = maps ? (options.views ?? TEST_TIME_VIEWS) : [IDENTITY_VIEW];
  if (views.length === 0) throw new Error('segment: views must hold at least one view');
  const places = maps && options.gate !== false ? lungPlaces(text) : null;
  const cell = maps && options.gate !== false && !mentionsLungs(text) ? filmCell(text) : null;
  const nearCell = cell && cellWindow(cell, GRID_PIXELS, GRID_PIXELS);
  // At most two texts: the prompt, and with its sides swapped for mirrored views.
  const texts = new Map<string, Promise<Int32Array>>();
  const encodeText = (t: string) => texts.get(t) ?? texts.set(t, tokenizers.text.encode(t)).get(t);
  const prompts = await Promise.all(
    views.map(async (v) =>
      promptIds(
        layout,
        await encodeImage(tokenizers, viewImage(image, v)),
        await (encodeText(viewText(text, v)) as Promise<Int32Array>),
      ),
    ),
  );
  const thresholds = rule === 'expected' ? [EXPECTED_THRESHOLD, ...(options.fallback ?? EMPTY_FALLBACK)] : [null];
  const decodeOptions = {
    steps: layout.outputs,
    allowed: (i: number) => allowedOutput(layout, i),
    ...(maxDraft > 0 ? { lookahead: maskLookahead(layout, maxDraft) } : {}),
    ...(signal ? { signal } : {}),
  };
  let forwardPasses = 0;
  let decodes = 0;
  let planned = 0;
  let tokens: Int32Array = new Int32Array(0);
  let threshold: number | null = null;
  let probability: Plane<Float32Array> | null = null;
  let region: Mask | null | undefined = places ? undefined : null;
  for (const t of thresholds) {
    planned += views.length + (region === undefined ? 1 : 0);
    const viewMaps: Plane<Float32Array>[] = [];
    for (const [i, view] of views.entries()) {
      const cached = options.session ? options.session(model) : new KvDecoderSession(model);
      const map = t === null ? null : new Float32Array(GRID_PIXELS * GRID_PIXELS);
      const session = map ? new ExpectedPatchSession(cached, tokenizers.mask, layout, t as number, map) : cached;
      options.onDecode?.(decodes++, planned);
      const result = await decode(session, prompts[i] as Int32Array, decodeOptions);
      forwardPasses += result.forwardPasses;
      if (i === 0) tokens = result.tokens.subarray(0, GRID_TOKENS);
      if (map) viewMaps.push(mapBack({ width: GRID_PIXELS, height: GRID_PIXELS, data: map }, view));
    }
    if (region === undefined && places) {
      // The lungs once, on the image as it is, after the views (the first decode is the one previewed).
      options.onDecode?.(decodes++, planned);
      const { onDecode: _, ...lungOptions } = options;
      const gate = await lungGate(model, image, places, lungOptions);
      forwardPasses += gate.forwardPasses;
      region = gate.region;
    }
    threshold = t;
    probability = t === null ? null : meanMap(viewMaps);
    // The two gates never meet: the lung gate needs a chest prompt, the film's a prompt not about the chest.
    const inside = region ?? nearCell;
    if (probability && inside) probability = gated(probability, inside);
    // One view: a pixel reaches t exactly where its patch got a code other than background.
    const answered = probability
      ? probability.data.some((p) => p >= (t as number))
      : tokens.some((c) => c !== BACKGROUND_CODE);
    if (answered) break;
  }
  let zoomed: Box | null = null;
  // The map the mask is cut from: the answer's own, or at the film's pixels with a zoomed look blended in.
  let answer = probability;
  const { film } = options;
  if (maps && probability && film && model.zoom && options.zoom !== false) {
    if (film.width !== size.width || film.height !== size.height) {
      throw new Error(
        `segment: the film is ${film.width}x${film.height} but the answer's size is ${size.width}x${size.height}`,
      );
    }
    const { onDecode, ...rest } = options;
    const first = decodes;
    const look = await zoomLook(model.zoom, film, text, probability, {
      ...rest,
      ...(onDecode ? { onDecode: (i: number, more: number) => onDecode(first + i, planned + more) } : {}),
    });
    if (look) {
      forwardPasses += look.forwardPasses;
      [answer, zoomed] = [look.map, look.box];
    }
  }
  const cut = threshold === null || !answer ? threshold : maskCut(text, threshold, answer.data, options.lesionCut);
  const mask =
    answer && maskFrom === 'probability'
      ? zoomed
        ? thresholdMap(answer, cut as number)
        : resizeThreshold(answer, size.width, size.height, cut as number)
      : tokenizers.mask.detokenize(tokens, size.width, size.height);
  const gate = region ? 'lungs' : nearCell && probability ? 'film' : null;
  return { mask, tokens, forwardPasses, threshold, cut, probability, gated: gate, zoomed };
}

/**
 * The lung gate's region for `places` (lung-gate.ts): the model's own "both lungs" on the image as it is,
 * one decode at 0.5, on its 256x256 grid. Null when it finds none of the named lungs.
 */
export async function lungGate(
  model: SegmentModel,
  image: Plane<Float32Array>,
  places: LungPlaces,
  options: Omit<SegmentOptions, 'views' | 'fallback' | 'gate' | 'onDecode' | 'film'> = {},
): Promise<{ region: Mask | null; forwardPasses: number }> {
  const grid = { width: GRID_PIXELS, height: GRID_PIXELS };
  const lungs = await segment(model, image, canonicalLungPrompt('both'), grid, {
    ...options,
    views: [IDENTITY_VIEW],
    fallback: [],
    gate: false,
    zoom: false,
  });
  return { region: gateRegion(lungs.mask, places), forwardPasses: lungs.forwardPasses };
}

/**
 * The zoomed second look (zoom-pass.ts) by `zoomModel` at the part of the film `text` names: the first
 * answer's map at the film's pixels with the look's blended in inside the box. Null when it does not
 * apply (a chest prompt, or one naming no part of the film).
 */
export async function zoomLook(
  zoomModel: SegmentModel,
  film: Film,
  text: string,
  first: Plane<Float32Array>,
  options: Omit<SegmentOptions, 'film' | 'gate' | 'fallback' | 'zoom'> & { weight?: number } = {},
): Promise<{ map: Plane<Float32Array>; box: Box; forwardPasses: number } | null> {
  const box = zoomBoxFor(text, film);
  if (!box) return null;
  const { weight, ...rest } = options;
  // The crop is not the whole film the place words are about: no film gate inside it.
  const look = await segment(zoomModel, zoomInput(film, box), text, box, {
    ...rest,
    rule: 'expected',
    maskFrom: 'probability',
    gate: false,
    fallback: [],
    zoom: false,
  });
  if (!look.probability) return null;
  return { map: zoomedMap(first, look.probability, box, film, weight), box, forwardPasses: look.forwardPasses };
}

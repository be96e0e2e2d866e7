// A pointed prompt (a box, clicks, or both, with or without text) → one mask, by the zoomed decode: the
// window around what was pointed at (imaging/zoom-window.ts: the box and a margin, or the positive clicks
// and the previous answer) is cut from the film at its own resolution, brought to the model's grid and
// decoded with the box and clicks as region tokens and a prior (a small box's ellipse, or the answer the
// clicks correct); the window's map is pasted back at the source size and cut there. Why: a bone lesion
// is one or two patches of the whole film, and many patches of its window.
import type { RegionClick } from '../../../shared/tokens';
import { connectedComponents } from '../../data/components';
import { canonicalLungPrompt } from '../../data/lung-prompts';
import { splitLungs } from '../../data/lungs';
import { boxOnGrid, boxPrior, clicksInWindow, cropMask, pointedWindow } from '../../data/region-items';
import { modelInput, SAMPLE_SIZE } from '../../imaging/model-input';
import { type Mask, type Plane, resizeBilinear, thresholdMap } from '../../imaging/resample';
import { type Box, boundingBox, cropWindow, isSmallBox, pasteWindow, type ZoomWindow } from '../../imaging/zoom-window';
import { inWindow, type PromptReading, readingOf } from '../../prompt/reading';
import { GRID_PIXELS } from '../../tokenizers/grid';
import type { SegmentationModel } from '../runtime/model-files';
import { notRadiograph } from './answer-notices';
import { type Segmentation, type SegmentOptions, segment } from './segment';

/** What the clinician pointed at, in source pixels (box edges; clicks at pixel centres, x + 0.5). */
export interface PointedPrompt {
  box?: Box;
  clicks?: readonly RegionClick[];
  /** The segment's answer so far at the source size: what the clicks correct. */
  previous?: Mask | null;
}

export interface PointedOptions extends SegmentOptions {
  /**
   * The text model beside a region model: a chest prompt with a large box is answered by it on the whole
   * film, then kept inside the box (wholeFilmBox).
   */
  textModel?: SegmentationModel;
}

export interface PointedSegmentation extends Segmentation {
  /** The window decoded, in source pixels. */
  window: ZoomWindow;
}

/**
 * Throws when a frame of this modality cannot take a box or clicks: the model was trained on radiographs,
 * and a zoomed answer on a CT or MR slice would look precise and mean nothing.
 */
export function checkPointable(modality: string | undefined): void {
  if (notRadiograph(modality))
    throw new Error(
      `box and click prompts work on radiographs only; this is a ${modality} image, which the model was not trained on`,
    );
}

/** Throws a clinician-readable error when the pointed prompt cannot be decoded on a `width`x`height` film. */
export function checkPointed(model: SegmentationModel, p: PointedPrompt, width: number, height: number): void {
  const { layout } = model;
  const clicks = p.clicks ?? [];
  if (layout.regionSlots === 0)
    throw new Error(
      'this model takes text only: a box or clicks need the region model (models/region) or another model with a region part',
    );
  if (p.box) {
    const { x0, y0, x1, y1 } = p.box;
    if (![x0, y0, x1, y1].every(Number.isFinite)) throw new Error('the box needs four numbers: x0,y0,x1,y1');
    if (x1 <= x0 || y1 <= y0)
      throw new Error(`the box ${x0},${y0},${x1},${y1} is empty or inverted: x1 must exceed x0 and y1 exceed y0`);
    if (x0 < 0 || y0 < 0 || x1 > width || y1 > height)
      throw new Error(`the box ${x0},${y0},${x1},${y1} reaches outside the ${width}x${height} image`);
  }
  for (const c of clicks) {
    if (!(Number.isFinite(c.x) && Number.isFinite(c.y)) || c.x < 0 || c.y < 0 || c.x >= width || c.y >= height)
      throw new Error(`the click at ${c.x},${c.y} is outside the ${width}x${height} image`);
  }
  const most = layout.regionClicks ?? 0;
  if (clicks.length > most)
    throw new Error(`${clicks.length} clicks: the model takes at most ${most}; undo some or start the segment again`);
  if (p.previous && (p.previous.width !== width || p.previous.height !== height))
    throw new Error('the previous answer is not the size of the image');
  if (!p.box && !clicks.some((c) => c.positive) && !(p.previous && boundingBox(p.previous)))
    throw new Error('a click that removes needs an answer to remove from: add a box or a positive click first');
}

/**
 * The answer to `prompt` (its text or reading) and what was pointed at on `film` (grey in [0, 1] at the
 * source size), decoded in its window. `options` as segment()'s (views default to POINTED_VIEWS; the gates do not apply).
 */
export async function segmentPointed(
  model: SegmentationModel,
  film: Plane<Float32Array>,
  prompt: string | PromptReading,
  pointed: PointedPrompt,
  pointedOptions: PointedOptions = {},
): Promise<PointedSegmentation> {
  const { width: W, height: H } = film;
  checkPointed(model, pointed, W, H);
  const { textModel, ...options } = pointedOptions;
  const reading = readingOf(prompt);
  if (textModel && options.gate !== false && wholeFilmBox(reading, pointed, W, H))
    return boxOnWholeFilm(textModel, film, reading, pointed.box as Box, options);
  if (textModel && options.gate !== false && lungBoxCandidate(reading, pointed, W, H)) {
    const lung = await lungBoxAnswer(textModel, film, pointed.box as Box, options);
    if (lung) return lung;
  }
  const previous = pointed.previous ?? null;
  const clicks = pointed.clicks ?? [];
  const window = pointedWindow({ ...(pointed.box ? { box: pointed.box } : {}), clicks }, previous, W, H);
  if (!window) throw new Error('a click that removes must land on or near the answer: click on the part to take away');
  const crop = cropWindow(film, window, SAMPLE_SIZE);
  const grid = { width: SAMPLE_SIZE, height: SAMPLE_SIZE };
  const inner = await segment(model, crop, inWindow(reading), grid, {
    ...options,
    region: {
      ...(pointed.box ? { box: boxOnGrid(pointed.box, window) } : {}),
      clicks: clicksInWindow(clicks, window),
    },
    prior: priorOf(pointed, window, W, H),
    ...(options.onDraft ? { onDraft: (draft) => options.onDraft?.(pasteMask(draft, window, W, H)) } : {}),
  });
  let map = inner.probability && pasteWindow(inner.probability, window, W, H);
  const boxGate = pointed.box && options.gate !== false;
  if (map && boxGate) map = insideBox(map, pointed.box as Box);
  const decoded = map ? thresholdMap(map, inner.cut as number) : pasteMask(inner.mask, window, W, H);
  // A box says where the answer is: the previous answer outside its window is not kept.
  const kept = previous && !pointed.box ? keptOutside(decoded, previous, window) : decoded;
  const mask = options.gate === false ? kept : clickGate(kept, clicks);
  return {
    ...inner,
    mask,
    gated: boxGate ? 'box' : null,
    // The film's grid, as a whole-film answer reports them (the overlay scales them to the image).
    probability: map && filmGrid(map),
    uncertainty: inner.uncertainty && uncertaintyOnFilm(inner.uncertainty, window, W, H),
    window,
  };
}

/**
 * What the window's decode starts from: with clicks, the answer they correct (as training's click items);
 * with a box alone, the box's own prior (boxPrior), not an earlier answer, as training's box items.
 */
function priorOf(pointed: PointedPrompt, window: ZoomWindow, width: number, height: number): Mask | null {
  const { box, clicks = [], previous } = pointed;
  if (box && clicks.length === 0) return boxPrior(box, window, width, height);
  return previous ? cropMask(previous, window) : null;
}

/**
 * How far past the box an answer may reach, as a share of the box's size per side: a clinician's box is
 * drawn around the region, looser or tighter, not beside it. A small box (a bone lesion) bounds the answer
 * exactly: at the window's scale the model's answer spills past a compact lesion's edge. A large one (a
 * lung, a spread infection) is drawn within a ragged edge, so the answer may reach a tenth past it
 * (docs/EXPERIMENTS.md, the box gate's rows).
 */
export const BOX_GATE_MARGIN = { small: 0, large: 0.1 } as const;

/** `map` (at the source size) set to 0 outside the box grown by its BOX_GATE_MARGIN. */
function insideBox<T extends Float32Array | Uint8Array>(map: Plane<T>, box: Box): Plane<T> {
  const margin = isSmallBox(box, map.width, map.height) ? BOX_GATE_MARGIN.small : BOX_GATE_MARGIN.large;
  const mx = (box.x1 - box.x0) * margin;
  const my = (box.y1 - box.y0) * margin;
  const data = map.data.slice() as T;
  for (let y = 0; y < map.height; y++)
    for (let x = 0; x < map.width; x++) {
      const inside = x + 0.5 >= box.x0 - mx && x + 0.5 < box.x1 + mx && y + 0.5 >= box.y0 - my && y + 0.5 < box.y1 + my;
      if (!inside) data[y * map.width + x] = 0;
    }
  return { ...map, data };
}

/**
 * Whether a box is answered on the whole film by the text model: a chest prompt with text, a large box
 * and no clicks. Its window would be most of the film, so zooming gains little and loses what the
 * whole-film answer has (the lung gate, every test-time view): infection text + box 0.799 zoomed vs
 * 0.832 this way (docs/EXPERIMENTS.md, "A chest box on the whole film").
 */
export function wholeFilmBox(reading: PromptReading, pointed: PointedPrompt, width: number, height: number): boolean {
  return reading.chest && reading.text.trim() !== '' && largeBoxAlone(pointed, width, height);
}

/** A box alone (no text, clicks or earlier answer), large: it may outline a lung (lungBoxAnswer). */
function lungBoxCandidate(reading: PromptReading, pointed: PointedPrompt, width: number, height: number): boolean {
  return reading.text.trim() === '' && largeBoxAlone(pointed, width, height);
}

/** A large box with no clicks and no earlier answer to correct. */
function largeBoxAlone({ box, clicks = [], previous }: PointedPrompt, width: number, height: number): boolean {
  return box !== undefined && !isSmallBox(box, width, height) && clicks.length === 0 && !previous;
}

/**
 * How closely a text-less box must match the box of a lung (or of both) in the text model's lung answer
 * to be read as "that lung": a box drawn around a lung field hugs it (a tenth per edge), one drawn around
 * an infected area covers part of it.
 */
export const LUNG_BOX_IOU = 0.6;

/**
 * A text-less large box read as the lung it outlines: the text model's "both lungs" answer on the whole
 * film is split into the patient's sides, and when the box matches the box of one side or both
 * (LUNG_BOX_IOU), that prompt is answered on the whole film and kept inside the box. Null when it
 * outlines neither: the box is about something else (an infected area), decoded zoomed. Why: on the whole
 * film the lungs are answered with the lung gate and every view, which a window loses.
 */
async function lungBoxAnswer(
  textModel: SegmentationModel,
  film: Plane<Float32Array>,
  box: Box,
  options: SegmentOptions,
): Promise<PointedSegmentation | null> {
  const { width: W, height: H } = film;
  const both = await segment(
    textModel,
    modelInput(film),
    canonicalLungPrompt('both'),
    { width: W, height: H },
    options,
  );
  const sides = splitLungs(both.mask);
  const fits = (mask: Mask) => {
    const b = boundingBox(mask);
    return b ? boxIoU(b, box) : 0;
  };
  const candidates = [
    { target: 'both' as const, fit: fits(both.mask) },
    { target: 'left' as const, fit: fits(sides.left) },
    { target: 'right' as const, fit: fits(sides.right) },
  ].sort((a, b) => b.fit - a.fit);
  const best = candidates[0] as (typeof candidates)[number];
  if (best.fit < LUNG_BOX_IOU) return null;
  if (best.target === 'both') return keptInBox(both, box, W, H);
  return boxOnWholeFilm(textModel, film, readingOf(canonicalLungPrompt(best.target)), box, options);
}

function boxIoU(a: Box, b: Box): number {
  const w = Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0));
  const h = Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  const area = (r: Box) => (r.x1 - r.x0) * (r.y1 - r.y0);
  return (w * h) / (area(a) + area(b) - w * h);
}

/** The text model's whole-film answer to `reading`, kept inside `box` (grown by its margin). */
async function boxOnWholeFilm(
  textModel: SegmentationModel,
  film: Plane<Float32Array>,
  reading: PromptReading,
  box: Box,
  options: SegmentOptions,
): Promise<PointedSegmentation> {
  const { width: W, height: H } = film;
  return keptInBox(await segment(textModel, modelInput(film), reading, { width: W, height: H }, options), box, W, H);
}

/** A whole-film answer on a `width`x`height` film kept inside `box` (grown by its margin). */
function keptInBox(answer: Segmentation, box: Box, width: number, height: number): PointedSegmentation {
  const onGrid = (map: Plane<Float32Array>): Plane<Float32Array> => {
    const sx = map.width / width;
    const sy = map.height / height;
    return insideBox(map, { x0: box.x0 * sx, y0: box.y0 * sy, x1: box.x1 * sx, y1: box.y1 * sy });
  };
  return {
    ...answer,
    mask: insideBox(answer.mask, box),
    gated: 'box',
    probability: answer.probability && onGrid(answer.probability),
    window: { x: 0, y: 0, side: Math.max(width, height) },
  };
}

/** `answer` (decoded in `window`) with `previous` kept outside it: a click corrects where it points. */
function keptOutside(answer: Mask, previous: Mask, window: ZoomWindow): Mask {
  const { width: W, height: H } = answer;
  const data = Uint8Array.from(answer.data);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const inside =
        x + 0.5 >= window.x &&
        x + 0.5 < window.x + window.side &&
        y + 0.5 >= window.y &&
        y + 0.5 < window.y + window.side;
      if (!inside && previous.data[y * W + x]) data[y * W + x] = 1;
    }
  return { width: W, height: H, data };
}

/**
 * `mask` without the parts a negative click lands on, unless a positive click holds the same part: a
 * click that removes says "not this", and an answer that still covers it has not heard it (the click
 * gate, as the box gate for a box); a part that was also clicked to keep is trimmed by the model only.
 */
export function clickGate(mask: Mask, clicks: readonly RegionClick[]): Mask {
  const at = (c: RegionClick) => Math.floor(c.y) * mask.width + Math.floor(c.x);
  const negative = clicks.filter((c) => !c.positive).map(at);
  if (!negative.some((i) => mask.data[i])) return mask;
  const positive = clicks.filter((c) => c.positive).map(at);
  const data = Uint8Array.from(mask.data);
  for (const { pixels } of connectedComponents(mask)) {
    const holds = (i: number) => pixels.includes(i);
    if (negative.some(holds) && !positive.some(holds)) for (const p of pixels) data[p] = 0;
  }
  return { ...mask, data };
}

/** A mask of the window brought back to the source (0 outside the window). */
function pasteMask(mask: Mask, window: ZoomWindow, width: number, height: number): Mask {
  return thresholdMap(pasteWindow(mask, window, width, height), 0.5);
}

/** A source-size map on the film's 256x256 grid. */
function filmGrid(map: Plane<Float32Array>): Plane<Float32Array> {
  return resizeBilinear(map, GRID_PIXELS, GRID_PIXELS);
}

function uncertaintyOnFilm(u: Uint8Array, window: ZoomWindow, width: number, height: number): Uint8Array {
  const grid = filmGrid(pasteWindow({ width: GRID_PIXELS, height: GRID_PIXELS, data: u }, window, width, height));
  return Uint8Array.from(grid.data, (v) => Math.round(v));
}

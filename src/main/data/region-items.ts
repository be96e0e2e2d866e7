// Training items for the region part of the sequence (src/shared/tokens.ts): a sample drawn as the
// clinician would prompt it. `text`: the whole film and its prompt, as before. `box`: the window around
// the target's box, jittered (shifts and scales of up to ±20%, loose and tight, as MedSAM trains), the box
// in the window's frame, with the prompt or without it. `clicks`: a simulated previous answer (none, the
// target moved and resized, the target displaced beside itself as bone answers often are, or a blob
// elsewhere on the film), then up
// to `regionClicks` correction clicks placed one at a time on the largest error of the answer so far,
// each error taken as fixed before the next click (SAM's and nnInteractive's iterative protocol); the
// model sees the answer before the last click as its prior and every click as tokens. Windows follow the
// segmenter's own rule (regionWindow), so training sees the crops that inference makes.
import type { RegionClick, RegionPrompt } from '../../shared/tokens';
import { SAMPLE_SIZE, unitPlane } from '../imaging/model-input';
import type { Mask, Plane } from '../imaging/resample';
import {
  type Box,
  boundingBox,
  boxEllipse,
  boxInWindow,
  CLICK_CONTEXT,
  cropWindow,
  isSmallBox,
  pointInWindow,
  regionWindow,
  type ZoomWindow,
} from '../imaging/zoom-window';
import { withoutFilmPlace } from '../prompt/grammar';
import { DEFAULT_AUGMENT, jitterIntensity } from './augment';
import { connectedComponents } from './components';
import { correctionClick, innermost } from './correction-clicks';
import { chance, createRng, type Rng, uniform } from './rng';
import type { Sample } from './samples';

export type RegionKind = 'text' | 'box' | 'clicks';
export const REGION_KINDS: readonly RegionKind[] = ['text', 'box', 'clicks'];

/** How often each kind is drawn (weights; normalised when drawn). */
export type RegionMix = Record<RegionKind, number>;

/** One training item: the model's input, target and prompt. */
export interface RegionItem {
  kind: RegionKind;
  image: Plane<Float32Array>;
  mask: Mask;
  text: string;
  region: RegionPrompt;
  /** The previous answer on the model's grid, or null. */
  prior: Mask | null;
}

/** The largest share of a side a box is shifted or scaled by in training. */
export const BOX_JITTER = 0.2;

export function drawKind(rng: Rng, mix: RegionMix): RegionKind {
  const total = REGION_KINDS.reduce((a, k) => a + mix[k], 0);
  let r = rng.next() * total;
  for (const k of REGION_KINDS) {
    r -= mix[k];
    if (r < 0) return k;
  }
  return 'text';
}

/** The prompt as a zoomed item reads it: a bone lesion's film place no longer says where. */
export function windowText(text: string): string {
  return withoutFilmPlace(text);
}

/** `box` shifted and scaled by up to `jitter` of its size per axis (seeded), kept on the film. */
export function jitterBox(box: Box, rng: Rng, width: number, height: number, jitter = BOX_JITTER): Box {
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  const cx = (box.x0 + box.x1) / 2 + uniform(rng, -jitter, jitter) * w;
  const cy = (box.y0 + box.y1) / 2 + uniform(rng, -jitter, jitter) * h;
  const hw = (w * uniform(rng, 1 - jitter, 1 + jitter)) / 2;
  const hh = (h * uniform(rng, 1 - jitter, 1 + jitter)) / 2;
  return {
    x0: Math.max(0, cx - hw),
    y0: Math.max(0, cy - hh),
    x1: Math.min(width, Math.max(cx + hw, Math.max(0, cx - hw) + 1)),
    y1: Math.min(height, Math.max(cy + hh, Math.max(0, cy - hh) + 1)),
  };
}

/** A mask's window on the model's grid (bilinear, then half). */
export function cropMask(mask: Mask, window: ZoomWindow): Mask {
  const soft = cropWindow(mask, window, SAMPLE_SIZE);
  return { width: SAMPLE_SIZE, height: SAMPLE_SIZE, data: Uint8Array.from(soft.data, (v) => (v >= 0.5 ? 1 : 0)) };
}

/** Clicks of the source inside the window, in the window's frame (those outside it say nothing there). */
export function clicksInWindow(clicks: readonly RegionClick[], window: ZoomWindow): RegionClick[] {
  return clicks
    .map((c) => ({ ...pointInWindow(c, window, SAMPLE_SIZE), positive: c.positive }))
    .filter((c) => c.x >= 0 && c.y >= 0 && c.x < SAMPLE_SIZE && c.y < SAMPLE_SIZE);
}

/** A box of the source in the window's frame, clipped to it. */
export function boxOnGrid(box: Box, window: ZoomWindow): Box {
  const b = boxInWindow(box, window, SAMPLE_SIZE);
  const clip = (v: number) => Math.min(SAMPLE_SIZE, Math.max(0, v));
  return { x0: clip(b.x0), y0: clip(b.y0), x1: clip(b.x1), y1: clip(b.y1) };
}

/** Training's draw for a sample loaded under `seed`: its kind by `mix`, then the item (seeded apart from the sample's own draws). */
export function drawRegionItem(sample: Sample, mix: RegionMix, seed: number, maxClicks: number): RegionItem {
  const rng = createRng(seed ^ REGION_SEED);
  return regionItem(sample, drawKind(rng, mix), rng, maxClicks);
}

/** Without train.region: as many of each kind. */
export const DEFAULT_REGION_MIX: RegionMix = { text: 1, box: 1, clicks: 1 };
const REGION_SEED = 0x4e61;

/**
 * The parts of `previous` (an answer at the source size) that `clicks` correct, as boxes: with positive
 * clicks, the parts within half a click context of one (the part being grown; a wrong blob elsewhere on
 * the film is not what the click is about and would only widen the window); with negative clicks alone,
 * the parts they land on or near (the part being trimmed).
 */
export function correctedParts(previous: Mask | null, clicks: readonly RegionClick[]): Box[] {
  if (!previous) return [];
  const positive = clicks.filter((c) => c.positive);
  const about = positive.length > 0 ? positive : clicks;
  const reach = (CLICK_CONTEXT / 2) * Math.max(previous.width, previous.height);
  return connectedComponents(previous)
    .map((c) => ({ x0: c.minX, y0: c.minY, x1: c.maxX + 1, y1: c.maxY + 1 }))
    .filter((b) => about.some((c) => distanceToBox(c, b) <= reach));
}

function distanceToBox(p: { x: number; y: number }, b: Box): number {
  return Math.max(b.x0 - p.x, 0, p.x - b.x1, b.y0 - p.y, 0, p.y - b.y1);
}

/** The window of a pointed prompt (regionWindow) around the parts of `previous` that its clicks correct. */
export function pointedWindow(
  region: RegionPrompt,
  previous: Mask | null,
  width: number,
  height: number,
): ZoomWindow | null {
  return regionWindow(region, region.box ? [] : correctedParts(previous, region.clicks ?? []), width, height);
}

/**
 * The prior a box prompt decodes with: the ellipse of a small box (boxEllipse), none for a large one (a
 * lung's box is no ellipse). Training's box items and the segmenter's box answers both take it.
 */
export function boxPrior(box: Box, window: ZoomWindow, width: number, height: number): Mask | null {
  return isSmallBox(box, width, height) ? boxEllipse(box, window, SAMPLE_SIZE) : null;
}

/** How often a box item leaves its prompt out (the box alone must answer too). */
export const BOX_TEXTLESS = 0.25;

/**
 * A box item: the window a box prompt decodes in (regionWindow, as the segmenter cuts it) from `film`
 * (grey in [0, 1] at the source size) under training's intensity jitter, the target cut to it, the box
 * in the window's frame, its prior (boxPrior), and `prompt` (left out BOX_TEXTLESS of draws). Training draws `box` around
 * the target; fine-tuning also takes the box a clinician drew.
 */
export function boxWindowItem(
  film: Plane<Float32Array>,
  target: Mask,
  prompt: string,
  box: Box,
  rng: Rng,
): Omit<RegionItem, 'kind'> {
  const window = regionWindow({ box }, [], target.width, target.height) as ZoomWindow;
  return {
    image: jitterIntensity(cropWindow(film, window, SAMPLE_SIZE), rng, DEFAULT_AUGMENT),
    mask: cropMask(target, window),
    text: chance(rng, BOX_TEXTLESS) ? '' : prompt,
    region: { box: boxOnGrid(box, window) },
    prior: boxPrior(box, window, target.width, target.height),
  };
}

/** A sample (augmented or not, `sample.film` its source) as a training item of `kind`. */
export function regionItem(sample: Sample, kind: RegionKind, rng: Rng, maxClicks: number): RegionItem {
  const text = {
    kind: 'text' as const,
    image: sample.image,
    mask: sample.mask,
    text: sample.text,
    region: {},
    prior: null,
  };
  const target = sample.sourceMask;
  const box = boundingBox(target);
  if (kind === 'text' || !box) return text;
  const film = unitPlane(sample.film);
  const { width: W, height: H } = target;
  const crop = (window: ZoomWindow) => jitterIntensity(cropWindow(film, window, SAMPLE_SIZE), rng, DEFAULT_AUGMENT);
  const prompt = sample.group === 'btxrd' ? windowText(sample.text) : sample.text;
  // A window's item; `textless`: how often the prompt is left out (drawn after the crop's intensity).
  const zoomed = (window: ZoomWindow, textless: number, region: RegionPrompt, prior: Mask | null): RegionItem => ({
    kind,
    image: crop(window),
    mask: cropMask(target, window),
    text: chance(rng, textless) ? '' : prompt,
    region,
    prior,
  });
  if (kind === 'box') return { kind, ...boxWindowItem(film, target, prompt, jitterBox(box, rng, W, H), rng) };
  const { previous, clicks } = simulateCorrections(target, box, rng, maxClicks);
  const window = pointedWindow({ clicks }, previous, W, H);
  if (!window) return text;
  return zoomed(window, 0.2, { clicks: clicksInWindow(clicks, window) }, previous && cropMask(previous, window));
}

/**
 * A previous answer and the clicks that correct it, one at a time: each click on the largest error of
 * the answer so far, that error then taken as fixed. Returns the answer before the last click (null when
 * the first click had none before it) and every click.
 */
export function simulateCorrections(
  target: Mask,
  box: Box,
  rng: Rng,
  maxClicks: number,
): { previous: Mask | null; clicks: RegionClick[] } {
  const count = 1 + Math.floor(rng.next() * Math.max(1, maxClicks));
  let answer = firstAnswer(target, box, rng);
  const clicks: RegionClick[] = [];
  let previous: Mask | null = answer;
  for (let k = 0; k < count; k++) {
    const click = answer ? correctionClick(answer, target) : firstClick(target);
    if (!click) break;
    previous = answer;
    clicks.push(click);
    answer = corrected(answer ?? { ...target, data: new Uint8Array(target.data.length) }, target, click);
  }
  return { previous, clicks };
}

/** A first click on the target when there is no answer yet: inside its largest part. */
function firstClick(target: Mask): RegionClick | null {
  const c = connectedComponents(target)[0];
  return c ? { ...innermost(c, target.width), positive: true } : null;
}

/** `answer` with the error region under `click` fixed (added if missed, removed if extra). */
function corrected(answer: Mask, target: Mask, click: RegionClick): Mask {
  const n = target.data.length;
  const wrong = new Uint8Array(n);
  for (let i = 0; i < n; i++) wrong[i] = (answer.data[i] ? 1 : 0) !== (target.data[i] ? 1 : 0) ? 1 : 0;
  const at = Math.floor(click.y) * target.width + Math.floor(click.x);
  const region = connectedComponents({ ...target, data: wrong }).find((c) => c.pixels.includes(at));
  const data = Uint8Array.from(answer.data, (v) => (v ? 1 : 0));
  if (region) for (const p of region.pixels) data[p] = click.positive ? 1 : 0;
  return { ...target, data };
}

/**
 * A simulated first answer, each a quarter of draws: none; the target moved and resized within half its
 * size; the target beside itself (moved 0.7–1.5 of its size), as bone answers that miss often are; or a
 * blob elsewhere on the film (up to twice the target's size), as a text answer that found another place.
 */
function firstAnswer(target: Mask, box: Box, rng: Rng): Mask | null {
  const r = rng.next();
  if (r < 1 / 4) return null;
  const w = box.x1 - box.x0;
  const h = box.y1 - box.y0;
  const cx = (box.x0 + box.x1) / 2;
  const cy = (box.y0 + box.y1) / 2;
  if (r >= 3 / 4) {
    const scale = uniform(rng, 0.6, 2);
    const x = uniform(rng, (w * scale) / 2, target.width - (w * scale) / 2);
    const y = uniform(rng, (h * scale) / 2, target.height - (h * scale) / 2);
    return moved(target, cx, cy, x - cx, y - cy, scale);
  }
  const far = r >= 1 / 2;
  const reach = far ? uniform(rng, 0.7, 1.5) : uniform(rng, 0, 0.5);
  const angle = uniform(rng, 0, 2 * Math.PI);
  const dx = Math.cos(angle) * reach * w;
  const dy = Math.sin(angle) * reach * h;
  return moved(target, cx, cy, dx, dy, uniform(rng, 0.6, 1.4));
}

/** The mask scaled by `scale` about (cx, cy), then shifted by (dx, dy) (nearest neighbour). */
function moved(mask: Mask, cx: number, cy: number, dx: number, dy: number, scale: number): Mask {
  const { width: W, height: H } = mask;
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    const sy = Math.round((y + 0.5 - cy - dy) / scale + cy - 0.5);
    if (sy < 0 || sy >= H) continue;
    for (let x = 0; x < W; x++) {
      const sx = Math.round((x + 0.5 - cx - dx) / scale + cx - 0.5);
      if (sx >= 0 && sx < W && mask.data[sy * W + sx]) data[y * W + x] = 1;
    }
  }
  return { width: W, height: H, data };
}

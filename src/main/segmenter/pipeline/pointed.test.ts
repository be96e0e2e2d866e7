import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelInput } from '../../imaging/model-input';
import { boundingBox, SMALL_BOX_SHARE } from '../../imaging/zoom-window';
import { readPrompt } from '../../prompt/reading';
import { TINY_REGION, writeRandomModel } from '../../testing/tiny-model';
import { loadModel, releaseModel, type SegmentationModel } from '../runtime/model-files';
import { checkPointable, clickGate, segmentPointed, wholeFilmBox } from './pointed';
import { segment } from './segment';

let dir: string;
let model: SegmentationModel;
let textOnly: SegmentationModel;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nextmask-pointed-'));
  await writeRandomModel(join(dir, 'region'), 3, 'expected', TINY_REGION);
  await writeRandomModel(join(dir, 'text'), 3, 'expected');
  model = await loadModel(join(dir, 'region', 'model'), 1);
  textOnly = await loadModel(join(dir, 'text', 'model'), 1);
}, 60_000);

afterAll(async () => {
  await releaseModel(model);
  await releaseModel(textOnly);
  await rm(dir, { recursive: true, force: true });
});

const W = 300;
const H = 200;
const film = { width: W, height: H, data: Float32Array.from({ length: W * H }, (_, i) => ((i * 7919) % 255) / 255) };

/** How many pixels of `mask` (W x H) lie outside `box`. */
function outside(mask: Uint8Array, box: { x0: number; y0: number; x1: number; y1: number }): number {
  let n = 0;
  mask.forEach((v, i) => {
    const px = i % W;
    const py = Math.floor(i / W);
    if (v && (px < box.x0 || px >= box.x1 || py < box.y0 || py >= box.y1)) n++;
  });
  return n;
}

describe('pointed prompts (zoomed decode)', () => {
  it('answers a box at the source size, nothing outside the window it decoded', async () => {
    const box = { x0: 40, y0: 30, x1: 90, y1: 70 };
    const r = await segmentPointed(model, film, 'left lung', { box });
    expect(r.mask.width).toBe(W);
    expect(r.mask.height).toBe(H);
    const { x, y, side } = r.window;
    expect(x + side / 2).toBeCloseTo(65);
    expect(y + side / 2).toBeCloseTo(50);
    for (let py = 0; py < H; py++)
      for (let px = 0; px < W; px++)
        if (px < Math.floor(x) - 1 || px > x + side + 1 || py < Math.floor(y) - 1 || py > y + side + 1)
          expect(r.mask.data[py * W + px]).toBe(0);
    expect(r.probability?.width).toBe(256);
    expect(r.gated).toBe('box');
    // A small box (under SMALL_BOX_SHARE of the film) bounds the answer exactly; without the gate the window decides.
    expect(((90 - 40) * (70 - 30)) / (W * H)).toBeLessThan(SMALL_BOX_SHARE);
    expect(outside(r.mask.data, box)).toBe(0);
    expect(r.mask.data.some((v) => v)).toBe(true);
    const ungated = await segmentPointed(model, film, 'left lung', { box }, { gate: false });
    expect(ungated.gated).toBeNull();
    expect(ungated.window).toEqual(r.window);
  }, 60_000);

  it('lets the answer to a large box reach a tenth past it, and no further', async () => {
    const box = { x0: 60, y0: 40, x1: 240, y1: 160 };
    expect(((240 - 60) * (160 - 40)) / (W * H)).toBeGreaterThanOrEqual(SMALL_BOX_SHARE);
    const r = await segmentPointed(model, film, 'left lung', { box });
    const grown = { x0: 60 - 18, y0: 40 - 12, x1: 240 + 18, y1: 160 + 12 };
    expect(outside(r.mask.data, grown)).toBe(0);
    const ungated = await segmentPointed(model, film, 'left lung', { box }, { gate: false });
    expect(outside(ungated.mask.data, grown)).toBeGreaterThan(0);
  }, 60_000);

  it('answers a box from the box alone: an earlier answer is neither its prior nor kept outside it', async () => {
    const previous = { width: W, height: H, data: new Uint8Array(W * H) };
    for (let py = 150; py < 190; py++) for (let px = 200; px < 260; px++) previous.data[py * W + px] = 1;
    const box = { x0: 40, y0: 30, x1: 90, y1: 70 };
    const after = await segmentPointed(model, film, 'left lung', { box, previous });
    const fresh = await segmentPointed(model, film, 'left lung', { box });
    expect(outside(after.mask.data, box)).toBe(0);
    expect(Array.from(after.probability?.data ?? [])).toEqual(Array.from(fresh.probability?.data ?? []));
  }, 60_000);

  it('reads a text-less box around the lungs as "both lungs" on the whole film; another large box is zoomed', async () => {
    const lungs = await segment(model, modelInput(film), 'both lungs', { width: W, height: H });
    const around = boundingBox(lungs.mask);
    expect(around).not.toBeNull();
    const box = around as NonNullable<typeof around>;
    expect(((box.x1 - box.x0) * (box.y1 - box.y0)) / (W * H)).toBeGreaterThanOrEqual(SMALL_BOX_SHARE);
    const r = await segmentPointed(model, film, '', { box }, { textModel: model });
    expect(r.window).toEqual({ x: 0, y: 0, side: W });
    expect(Array.from(r.mask.data)).toEqual(Array.from(lungs.mask.data));
    // A large box that matches no lung's box (here: a quarter of it, in a corner) is about something else.
    const corner = { x0: box.x0, y0: box.y0, x1: box.x0 + (box.x1 - box.x0) / 2, y1: box.y0 + (box.y1 - box.y0) / 2 };
    expect(((corner.x1 - corner.x0) * (corner.y1 - corner.y0)) / (W * H)).toBeGreaterThanOrEqual(SMALL_BOX_SHARE);
    const zoomed = await segmentPointed(model, film, '', { box: corner }, { textModel: model });
    expect(zoomed.window).not.toEqual(r.window);
    // Without a text model beside it, or with text, the box is the region model's.
    expect((await segmentPointed(model, film, '', { box })).window).not.toEqual(r.window);
  }, 60_000);

  it('answers a chest prompt with a large box on the whole film with the text model, kept inside the box', async () => {
    const box = { x0: 60, y0: 40, x1: 240, y1: 160 };
    const reading = readPrompt('left lung');
    expect(wholeFilmBox(reading, { box }, W, H)).toBe(true);
    const r = await segmentPointed(model, film, reading, { box }, { textModel: model });
    expect(r.window).toEqual({ x: 0, y: 0, side: W });
    expect(r.gated).toBe('box');
    const whole = await segment(model, modelInput(film), reading, { width: W, height: H });
    const grown = { x0: 60 - 18, y0: 40 - 12, x1: 240 + 18, y1: 160 + 12 };
    expect(outside(r.mask.data, grown)).toBe(0);
    // Inside the grown box the answer is the whole-film one, pixel for pixel.
    const kept = Uint8Array.from(whole.mask.data, (v, i) => {
      const px = i % W;
      const py = Math.floor(i / W);
      return px >= grown.x0 && px < grown.x1 && py >= grown.y0 && py < grown.y1 ? v : 0;
    });
    expect(Array.from(r.mask.data)).toEqual(Array.from(kept));
    expect(kept.some((v) => v)).toBe(true);
    // Not for a small box, clicks, a correction, an empty prompt or a prompt not about the chest.
    expect(wholeFilmBox(reading, { box: { x0: 40, y0: 30, x1: 90, y1: 70 } }, W, H)).toBe(false);
    expect(wholeFilmBox(reading, { box, clicks: [{ x: 100, y: 100, positive: true }] }, W, H)).toBe(false);
    expect(wholeFilmBox(readPrompt(''), { box }, W, H)).toBe(false);
    expect(wholeFilmBox(readPrompt('osteochondroma of the femur'), { box }, W, H)).toBe(false);
    // Without the text model beside it, the region model decodes the box zoomed.
    const zoomed = await segmentPointed(model, film, reading, { box });
    expect(zoomed.window.side).toBeLessThan(W);
  }, 60_000);

  it('windows clicks around the previous answer; an untrained prior (zero) leaves the answer as without it', async () => {
    const previous = { width: W, height: H, data: new Uint8Array(W * H) };
    for (let py = 50; py < 90; py++) for (let px = 100; px < 160; px++) previous.data[py * W + px] = 1;
    // At the previous answer's centre, so both windows are the same square.
    const clicks = [{ x: 130, y: 70, positive: true }];
    const withPrior = await segmentPointed(model, film, '', { clicks, previous });
    const without = await segmentPointed(model, film, '', { clicks });
    expect(withPrior.mask.width).toBe(W);
    expect(withPrior.window).toEqual(without.window);
    expect(withPrior.window.side).toBeCloseTo(100);
    expect(Array.from(withPrior.probability?.data ?? [])).toEqual(Array.from(without.probability?.data ?? []));
    // A click far from the previous answer is about another place: the window is the click's own, and the
    // answer outside it is kept as it was.
    const far = await segmentPointed(model, film, '', { clicks: [{ x: 250, y: 150, positive: true }], previous });
    expect(far.window.side).toBeCloseTo(100);
    expect(far.window.x + far.window.side / 2).toBeCloseTo(250);
    for (let py = 50; py < 90; py++) for (let px = 100; px < 160; px++) expect(far.mask.data[py * W + px]).toBe(1);
  }, 60_000);

  it('takes away the part a negative click lands on, and keeps the answer outside the window', async () => {
    const previous = { width: W, height: H, data: new Uint8Array(W * H) };
    const fill = (x0: number, y0: number, x1: number, y1: number) => {
      for (let py = y0; py < y1; py++) for (let px = x0; px < x1; px++) previous.data[py * W + px] = 1;
    };
    fill(100, 50, 160, 90);
    fill(250, 160, 290, 195);
    const clicks = [{ x: 130.5, y: 70.5, positive: false }];
    const r = await segmentPointed(model, film, '', { clicks, previous });
    expect(r.window.x + r.window.side / 2).toBeCloseTo(130);
    expect(r.mask.data[70 * W + 130]).toBe(0);
    for (let py = 160; py < 195; py++) for (let px = 250; px < 290; px++) expect(r.mask.data[py * W + px]).toBe(1);
    const far = [{ x: 20.5, y: 190.5, positive: false }];
    await expect(segmentPointed(model, film, '', { clicks: far, previous })).rejects.toThrow(/land on or near/);
  }, 60_000);

  it('gates out a part a negative click lands on, unless a positive click holds it', () => {
    const mask = { width: 10, height: 4, data: new Uint8Array(40) };
    for (const i of [0, 1, 2, 10, 11, 12, 7, 8, 17, 18]) mask.data[i] = 1;
    const minus = { x: 1.5, y: 0.5, positive: false };
    const gated = clickGate(mask, [minus]);
    expect([0, 1, 2, 10, 11, 12].map((i) => gated.data[i])).toEqual([0, 0, 0, 0, 0, 0]);
    expect([7, 8, 17, 18].map((i) => gated.data[i])).toEqual([1, 1, 1, 1]);
    const held = clickGate(mask, [minus, { x: 2.5, y: 1.5, positive: true }]);
    expect(Array.from(held.data)).toEqual(Array.from(mask.data));
    expect(clickGate(mask, [{ x: 5.5, y: 3.5, positive: false }])).toBe(mask);
  });

  it('refuses what it cannot decode, in words', async () => {
    const at = (box: { x0: number; y0: number; x1: number; y1: number }) => segmentPointed(model, film, 'x', { box });
    await expect(at({ x0: 50, y0: 10, x1: 40, y1: 60 })).rejects.toThrow(/empty or inverted/);
    await expect(at({ x0: 10, y0: 10, x1: 10, y1: 60 })).rejects.toThrow(/empty or inverted/);
    await expect(at({ x0: -5, y0: 10, x1: 40, y1: 60 })).rejects.toThrow(/outside the 300x200 image/);
    const click = { x: 400, y: 10, positive: true };
    await expect(segmentPointed(model, film, 'x', { clicks: [click] })).rejects.toThrow(/outside the 300x200/);
    const many = Array.from({ length: 7 }, () => ({ x: 10, y: 10, positive: true }));
    await expect(segmentPointed(model, film, 'x', { clicks: many })).rejects.toThrow(/at most 6/);
    const negative = [{ x: 10, y: 10, positive: false }];
    await expect(segmentPointed(model, film, 'x', { clicks: negative })).rejects.toThrow(/needs an answer/);
    await expect(segmentPointed(textOnly, film, 'x', { box: { x0: 1, y0: 1, x1: 9, y1: 9 } })).rejects.toThrow(
      /takes text only/,
    );
    expect(() => checkPointable('CT')).toThrow(/radiographs only; this is a CT image/);
    expect(() => checkPointable('DX')).not.toThrow();
    expect(() => checkPointable(undefined)).not.toThrow();
  }, 60_000);
});

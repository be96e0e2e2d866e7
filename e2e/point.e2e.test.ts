// Box and click prompts in Chromium against the real handlers, with a small random model that has a
// region part: open a bone radiograph, prompt, drag a box (the AI segment is decoded again in its box),
// click twice to refine it, undo once, and after a reload the mask, box and clicks are all back. A box
// too small to mean a region is refused in words and changes nothing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../src/main/testing/shared-data';
import { TINY_REGION, writeRandomModel } from '../src/main/testing/tiny-model';
import { type OpenedApp, openApp, overlayPixels, randomModelEnv, type ServedApp } from './harness';

const RADIOGRAPH = sharedPath('data', 'btxrd', 'val', 'images', 'IMG000016.jpg');

// The markers' colours (MaskOverlay.svelte): a click that adds, one that removes.
const GREEN: [number, number, number] = [60, 220, 80];
const RED: [number, number, number] = [255, 64, 64];

describe('box and click prompts in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;
  let app: ServedApp;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-point-'));
    await writeRandomModel(dir, 3, 'argmax', TINY_REGION);
    opened = await openApp(randomModelEnv(dir));
    ({ app, page, errors } = opened);
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const row = () => page.getByTestId('segment-row').first();
  const pixels = async () => Number(await row().getByTestId('segment-pixels').textContent());
  /** Waits for the answer to a box or click: the run's message line, then everything saved. */
  async function answered(): Promise<void> {
    await page.getByTestId('segment-message').waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByTestId('save-state').textContent(), { timeout: 15_000 })
      .toBe('All changes saved');
  }
  /** A point of the viewport, as fractions of its width and height. */
  async function at(fx: number, fy: number): Promise<{ x: number; y: number }> {
    const box = (await page.getByTestId('viewport').boundingBox())!;
    return { x: box.x + box.width * fx, y: box.y + box.height * fy };
  }

  it('refines an AI segment with a box and clicks, undoes one click, and keeps them across a reload', async () => {
    await page.goto(`${app.url}&open=${encodeURIComponent(RADIOGRAPH)}`);
    await page.getByTestId('window-level').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('segment-provider').textContent(), { timeout: 30_000 }).toBe('cpu');
    const prompt = page.getByRole('combobox', { name: 'Prompt' });
    await expect.poll(() => prompt.isEnabled(), { timeout: 15_000 }).toBe(true);

    await prompt.fill('bone tumour');
    await prompt.press('Enter');
    await row().waitFor({ timeout: 60_000 });
    await answered();
    const fromText = await pixels();

    // Box: a drag around the middle of the film decodes the selected AI segment again, zoomed.
    await page.getByTestId('tool-box').click();
    const from = await at(0.42, 0.4);
    const to = await at(0.58, 0.6);
    await page.mouse.move(from.x, from.y);
    await page.mouse.down();
    await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2);
    await page.mouse.move(to.x, to.y);
    await page.mouse.up();
    await expect.poll(() => row().getByTestId('segment-pointing').textContent(), { timeout: 60_000 }).toBe('box');
    await answered();
    const fromBox = await pixels();
    expect(fromBox).not.toBe(fromText);
    expect(await page.getByTestId('segment-row').count()).toBe(1);
    expect(await row().getByTestId('segment-name').textContent()).toBe('bone tumour');

    // Two clicks: one that adds, one (Shift) that removes; each decodes again with all clicks so far.
    await page.getByTestId('tool-click').click();
    const add = await at(0.47, 0.47);
    await page.mouse.click(add.x, add.y);
    await expect
      .poll(() => row().getByTestId('segment-pointing').textContent(), { timeout: 60_000 })
      .toBe('box + 1 click');
    await answered();
    const afterOne = await pixels();
    expect(await overlayPixels(page, GREEN)).toBeGreaterThan(0);

    const remove = await at(0.53, 0.53);
    await page.keyboard.down('Shift');
    await page.mouse.click(remove.x, remove.y);
    await page.keyboard.up('Shift');
    await expect
      .poll(() => row().getByTestId('segment-pointing').textContent(), { timeout: 60_000 })
      .toBe('box + 2 clicks');
    await answered();
    expect(await pixels()).not.toBe(afterOne);
    expect(await overlayPixels(page, RED)).toBeGreaterThan(0);

    // One undo: the mask and the click list as after the first click.
    await page.getByTestId('undo').click();
    await expect.poll(pixels).toBe(afterOne);
    expect(await row().getByTestId('segment-pointing').textContent()).toBe('box + 1 click');
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('All changes saved');

    await page.reload();
    await row().waitFor({ timeout: 30_000 });
    expect(await pixels()).toBe(afterOne);
    expect(await row().getByTestId('segment-pointing').textContent()).toBe('box + 1 click');
    expect(await row().getByTestId('segment-name').textContent()).toBe('bone tumour');
    // The box and the click are drawn again over the image; the undone click is not.
    await expect.poll(() => overlayPixels(page, GREEN), { timeout: 15_000 }).toBeGreaterThan(0);
    expect(await overlayPixels(page, RED)).toBe(0);
    expect(errors).toEqual([]);
  });

  it('refuses a box with no area in words and leaves the segment as it was', async () => {
    const before = await pixels();
    await page.getByTestId('tool-box').click();
    const spot = await at(0.5, 0.5);
    await page.mouse.click(spot.x, spot.y);
    await expect
      .poll(() => page.getByTestId('segment-error').textContent())
      .toMatch(/^the box is \dx\d px: drag a box at least 3 px each way around the region$/);
    expect(await pixels()).toBe(before);
    expect(await row().getByTestId('segment-pointing').textContent()).toBe('box + 1 click');
    expect(errors).toEqual([]);
  });
});

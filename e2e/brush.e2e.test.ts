// The brush and eraser in Chromium at 1366x768 on the real 1841-px chest CR: their size is in screen
// pixels (so a dab covers the same screen area at any zoom and many image pixels at fit), the outline
// under the pointer has that size, and the slider reaches far beyond the old 64 px.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../src/main/testing/shared-data';
import { type OpenedApp, openApp } from './harness';

const CR = sharedPath('dicom', 'chest-xray', 'RG1_J2KI.dcm');

const pixels = async (page: Page) => Number(await page.getByTestId('segment-pixels').first().textContent());
/** The zoom shown in the corner, as a scale (screen pixels per image pixel). */
const scale = async (page: Page) =>
  Number(/Zoom (\d+)%/.exec((await page.locator('.corner.br').textContent()) ?? '')?.[1]) / 100;

/** The width of the light outline ring on the overlay (its leftmost to rightmost light pixel), in screen pixels. */
function outlineWidth(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="mask-overlay"]')!;
    const { width, height } = canvas;
    const data = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
    let x0 = width;
    let x1 = -1;
    for (let i = 0; i < data.length; i += 4) {
      if (
        (data[i] as number) > 200 &&
        (data[i + 1] as number) > 200 &&
        (data[i + 2] as number) > 200 &&
        (data[i + 3] as number) > 200
      ) {
        const x = (i / 4) % width;
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
      }
    }
    return x1 < 0 ? 0 : x1 - x0 + 1;
  });
}

describe('brush in screen pixels, in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-brush-'));
    opened = await openApp({ NEXTMASK_WORKSPACE: join(dir, 'store') });
    page = opened.page;
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${opened.app.url}&open=${encodeURIComponent(CR)}`);
    await page.getByTestId('window-level').waitFor({ timeout: 30_000 });
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('paints and erases dabs of the set screen size at any zoom, under an outline of that size', async () => {
    await page.getByRole('button', { name: 'Add segment' }).click();
    await page.getByTestId('tool-brush').click();
    const slider = page.getByLabel('Brush radius');
    expect(Number(await slider.getAttribute('max'))).toBeGreaterThan(64);
    const radius = Number(await slider.inputValue());
    const fit = await scale(page);
    expect(fit).toBeLessThan(0.5); // the 1841-px film fitted into the viewer

    const box = (await page.getByTestId('viewport').boundingBox())!;
    const centre = { x: box.x + box.width / 2, y: box.y + box.height / 2 };
    // The outline, away from where we paint: a ring as wide as the brush on the screen.
    await page.mouse.move(centre.x - box.width / 4, centre.y);
    await expect.poll(() => outlineWidth(page)).toBeGreaterThan(0);
    expect(Math.abs((await outlineWidth(page)) - 2 * radius)).toBeLessThanOrEqual(4);

    // One dab at fit: a disc of radius/zoom image pixels.
    await page.mouse.click(centre.x, centre.y);
    await expect.poll(() => pixels(page)).toBeGreaterThan(0);
    const painted = await pixels(page);
    const expected = Math.PI * (radius / fit) ** 2;
    expect(painted / expected).toBeGreaterThan(0.8);
    expect(painted / expected).toBeLessThan(1.25);

    // Zoomed in about the centre, the eraser's dab of the same screen size takes fewer image pixels.
    await page.keyboard.press('v');
    await page.getByTestId('viewport').hover();
    await page.keyboard.down('Control');
    for (let i = 0; i < 7; i++) await page.mouse.wheel(0, -100);
    await page.keyboard.up('Control');
    await expect.poll(() => scale(page)).toBeGreaterThan(fit * 1.5);
    const zoomed = await scale(page);
    await page.keyboard.press('e');
    await page.mouse.click(centre.x, centre.y);
    await expect.poll(() => pixels(page)).toBeLessThan(painted);
    const erased = painted - (await pixels(page));
    const expectedErased = Math.PI * (radius / zoomed) ** 2;
    expect(erased / expectedErased).toBeGreaterThan(0.8);
    expect(erased / expectedErased).toBeLessThan(1.25);
    expect(opened.errors).toEqual([]);
  });
});

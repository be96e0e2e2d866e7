// The app at a 1366x768 window in Chromium, with a real radiograph and a small random model: a long
// segment list scrolls inside its panel (the page never scrolls, the viewer's toolbar keeps one row and
// the image keeps its place); a long prompt names its segment on one line, whole on hover and when the
// row is expanded, and the result line under the image is read whole; the tag panel shows whole tags,
// leaves the image most of the width and resizes; the corner text stays readable over white.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeRaster } from '../src/main/imaging/raster';
import { sharedPath } from '../src/main/testing/shared-data';
import { writeRandomModel } from '../src/main/testing/tiny-model';
import { type OpenedApp, openApp, randomModelEnv } from './harness';

const DX = sharedPath('dicom', 'chest-xray', 'dx_image.dcm');
const LONG =
  'Bilateral pulmonary infection, two infected areas, lower left lung and lower right lung, small effusion at the right base';

/** Line boxes the element's text takes (1: one line). */
const lines = (l: Locator) =>
  l.evaluate((e) => {
    const range = document.createRange();
    range.selectNodeContents(e);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  });
/** Whether the element shows all of its text: nothing cut off inside it, nor by its parent. */
const whole = (l: Locator) =>
  l.evaluate((e) => {
    const box = e.getBoundingClientRect();
    const parent = (e.parentElement as HTMLElement).getBoundingClientRect();
    return (
      e.scrollWidth <= e.clientWidth &&
      e.scrollHeight <= e.clientHeight &&
      box.bottom <= parent.bottom + 0.5 &&
      box.right <= parent.right + 0.5
    );
  });
const canvasTop = (page: Page) =>
  page.locator('[data-testid="viewport"] canvas').evaluate((e) => e.getBoundingClientRect().top);

/** WCAG contrast ratio of two 8-bit greys (sRGB luma as the screenshot decodes). */
function contrast(a: number, b: number): number {
  const lin = (v: number) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const [hi, lo] = [lin(Math.max(a, b)), lin(Math.min(a, b))];
  return (hi + 0.05) / (lo + 0.05);
}

describe('the layout at 1366x768 in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-layout-'));
    await writeRandomModel(dir);
    opened = await openApp(randomModelEnv(dir));
    page = opened.page;
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${opened.app.url}&open=${encodeURIComponent(DX)}`);
    await page.getByTestId('window-level').waitFor({ timeout: 30_000 });
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a long prompt: the result line whole, the segment name on one line, whole on hover and when expanded', async () => {
    const prompt = page.getByRole('combobox', { name: 'Prompt' });
    await expect.poll(() => prompt.isEnabled(), { timeout: 15_000 }).toBe(true);
    await prompt.fill(LONG);
    await prompt.press('Enter');
    const message = page.getByTestId('segment-message');
    await message.waitFor({ timeout: 60_000 });
    expect(await message.textContent()).toContain(LONG);
    expect(await whole(message)).toBe(true);

    const ai = page.getByTestId('segment-row').first();
    const name = ai.getByTestId('segment-name');
    const button = name.locator('xpath=ancestor::button[1]');
    expect(await name.textContent()).toBe(LONG);
    expect(await button.getAttribute('title')).toBe(LONG);
    // Another segment selected: the AI row folds to one line, cut with an ellipsis.
    await page.getByRole('button', { name: 'Add segment' }).click();
    await expect.poll(() => button.getAttribute('aria-expanded')).toBe('false');
    expect(await lines(name)).toBe(1);
    expect(await name.evaluate((e) => e.scrollWidth > e.clientWidth && getComputedStyle(e).textOverflow)).toBe(
      'ellipsis',
    );
    // Expanded from the keyboard, then by a click: the whole prompt, wrapped.
    await button.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => button.getAttribute('aria-expanded')).toBe('true');
    expect(await lines(name)).toBeGreaterThan(1);
    expect(await whole(name)).toBe(true);
    await page.getByTestId('segment-row').nth(1).getByTestId('segment-name').click();
    await expect.poll(() => lines(name)).toBe(1);
    await name.click();
    await expect.poll(() => whole(name)).toBe(true);
    expect(opened.errors).toEqual([]);
  });

  it('six more segments: the panel scrolls inside itself, the page never scrolls, the toolbar keeps one row, the image stays put', async () => {
    const top = await canvasTop(page);
    for (let i = 1; i <= 6; i++) {
      await page.getByRole('button', { name: 'Add segment' }).click();
      const field = page.getByRole('textbox', { name: 'Name' });
      await field.fill(`${LONG} ${i}`);
      await field.press('Enter');
      await page.getByTestId('segment-name').getByText(`${LONG} ${i}`, { exact: true }).waitFor();
    }
    const panel = page.getByTestId('segments');
    expect(await panel.evaluate((e) => e.scrollHeight > e.clientHeight)).toBe(true);
    await page.getByTestId('segment-row').last().scrollIntoViewIfNeeded();
    expect(await page.evaluate(() => [document.documentElement.scrollHeight, window.scrollY])).toEqual([
      await page.evaluate(() => window.innerHeight),
      0,
    ]);
    expect(await canvasTop(page)).toBe(top);
    const toolbar = page.getByRole('toolbar', { name: 'Viewer tools' });
    const row = await toolbar.evaluate((bar) => {
      const outer = bar.getBoundingClientRect();
      const boxes = [...bar.querySelectorAll('button, select, input')].map((e) => e.getBoundingClientRect());
      // One row: every control's top is above every control's bottom; none scrolled out of sight.
      return {
        oneRow: Math.max(...boxes.map((b) => b.top)) < Math.min(...boxes.map((b) => b.bottom)),
        inside: boxes.every((b) => b.left >= outer.left && b.right <= outer.right),
      };
    });
    expect(row).toEqual({ oneRow: true, inside: true });
    expect(opened.errors).toEqual([]);
  });

  it('the tag panel: whole tags, most of the width left to the image, resizable by drag and keys', async () => {
    await page.getByRole('button', { name: 'Tags' }).click();
    await page.getByTestId('tag-row').first().waitFor({ timeout: 10_000 });
    const tags = page.getByTestId('tag-row').locator('td').first();
    expect(await page.getByTestId('tag-row').filter({ hasText: '(0002,0010)' }).count()).toBe(1);
    const cut = await page
      .getByTestId('tag-panel')
      .evaluate(
        (p) => [...p.querySelectorAll('tr td:first-child')].filter((td) => td.scrollWidth > td.clientWidth).length,
      );
    expect(cut).toBe(0);
    expect(await tags.textContent()).toMatch(/^\(\w{4},\w{4}\)$/);

    const widths = () =>
      page.evaluate(() => {
        const w = (id: string) => document.querySelector(`[data-testid="${id}"]`)!.getBoundingClientRect().width;
        return { panel: w('tag-panel'), viewer: (document.querySelector('.body') as HTMLElement).clientWidth };
      });
    const before = await widths();
    expect(before.panel).toBeLessThan(0.4 * before.viewer);
    const edge = (await page.getByTestId('tag-panel-resize').boundingBox())!;
    await page.mouse.move(edge.x + edge.width / 2, edge.y + edge.height / 2);
    await page.mouse.down();
    await page.mouse.move(edge.x + edge.width / 2 - 120, edge.y + edge.height / 2, { steps: 4 });
    await page.mouse.up();
    expect((await widths()).panel).toBeCloseTo(before.panel + 120, 0);
    await page.getByTestId('tag-panel-resize').focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect((await widths()).panel).toBeLessThan(before.panel + 120);
    await page.getByRole('button', { name: 'Tags' }).click();
    expect(opened.errors).toEqual([]);
  });

  it('the corner text keeps a readable contrast over a white and over a black image', async () => {
    const paint = (colour: string) =>
      page.locator('[data-testid="viewport"] canvas').evaluate((canvas: HTMLCanvasElement, fill) => {
        const ctx = canvas.getContext('2d')!;
        ctx.fillStyle = fill;
        ctx.fillRect(0, 0, canvas.width, canvas.height);
      }, colour);
    const corners = page.getByTestId('viewer-corner');
    expect(await corners.count()).toBe(4);
    for (const [colour, ground] of [
      ['#fff', 255],
      ['#000', 0],
    ] as const) {
      await paint(colour);
      for (const corner of await corners.all()) {
        const shot = decodeRaster(await corner.screenshot());
        // The text's most distinct pixel against the ground: the outline over white, the letters over black.
        let far: number = ground;
        for (const v of shot.data) if (Math.abs(v - ground) > Math.abs(far - ground)) far = v;
        expect(contrast(far, ground)).toBeGreaterThanOrEqual(7);
      }
    }
  });
});

// A working day in Chromium: each series keeps its own view, radiographs open with a window of
// their own, the keyboard map works with focus anywhere, and the result line and tag panel keep
// their shape. Against `nextmask serve` with the real files.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../src/main/testing/shared-data';
import { type OpenedApp, openApp } from './harness';

const DX = sharedPath('dicom', 'chest-xray', 'dx_image.dcm');
const MR_DIR = sharedPath('dicom', 'mr-brain-series');

const text = async (page: Page, id: string) => (await page.getByTestId(id).first().textContent()) ?? '';
const zoom = async (page: Page) =>
  (await page.locator('.corner.br').textContent())?.match(/Zoom \d+%( · inverted)?/)?.[0];

async function show(page: Page, which: 'DX' | 'MR'): Promise<void> {
  await page.getByTestId('series-item').filter({ hasText: which }).click();
  await expect.poll(() => text(page, 'slice-index'), { timeout: 20_000 }).toMatch(which === 'DX' ? /\/ 1$/ : /\/ 20$/);
  await page.getByTestId('window-level').waitFor({ timeout: 20_000 });
}

describe('viewer workflow in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-workflow-'));
    // No model there: a prompt fails with a long message, which the result line must keep to one line.
    opened = await openApp({
      NEXTMASK_WORKSPACE: join(dir, 'store'),
      NEXTMASK_MODEL_DIR: join(dir, `no-model-${'x'.repeat(120)}`),
    });
    page = opened.page;
    const paths = [DX, MR_DIR].map((p) => `&open=${encodeURIComponent(p)}`).join('');
    await page.goto(`${opened.app.url}${paths}`);
    await page.getByTestId('series-item').filter({ hasText: 'MR' }).waitFor({ timeout: 30_000 });
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps each series its own view: window, zoom, inversion and slice come back, a new one opens fitted', async () => {
    await show(page, 'MR');
    const viewport = page.getByTestId('viewport');
    await viewport.hover();
    for (let i = 0; i < 4; i++) await page.mouse.wheel(0, 100);
    await expect.poll(() => text(page, 'slice-index')).toBe('Im 5 / 20');
    await page.keyboard.down('Control');
    for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -100);
    await page.keyboard.up('Control');
    await page.getByRole('button', { name: 'Invert' }).click();
    await page.getByTestId('preset').selectOption('full');
    const mrZoom = await zoom(page);
    expect(mrZoom).toContain('inverted');
    const mrWindow = await text(page, 'window-level');

    await show(page, 'DX');
    const dxZoom = await zoom(page);
    const dxWindow = await text(page, 'window-level');
    expect(dxZoom).not.toBe(mrZoom);
    expect(dxWindow).not.toBe(mrWindow);
    // Opened as it opens first (fitted, its own window, MONOCHROME1 shown inverted): Reset changes nothing.
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => zoom(page)).toBe(dxZoom);
    expect(await text(page, 'window-level')).toBe(dxWindow);

    await show(page, 'MR');
    await expect.poll(() => text(page, 'slice-index')).toBe('Im 5 / 20');
    await expect.poll(() => zoom(page)).toBe(mrZoom);
    expect(await text(page, 'window-level')).toBe(mrWindow);
    await show(page, 'DX');
    await expect.poll(() => zoom(page)).toBe(dxZoom);
  });

  it('opens a radiograph with its own window, not the full range, and offers radiograph presets by number', async () => {
    await show(page, 'DX');
    // The file names W 256 / L 128, the whole 8-bit range: the histogram window is used instead.
    await page.getByRole('button', { name: 'Reset' }).click();
    const opening = await text(page, 'window-level');
    expect(opening).not.toBe('W 256 L 128');
    const width = Number(/W ([\d.]+)/.exec(opening)?.[1]);
    expect(width).toBeGreaterThan(1);
    expect(width).toBeLessThan(256);
    const options = await page.getByTestId('preset').locator('option').allTextContents();
    expect(options.join('|')).toContain('Auto (1–99%)');
    // Radiograph windows from the film (BodyPartExamined THORAX: the chest ones), never CT's Hounsfield ones.
    expect(options.join('|')).toContain('Chest · Lung');
    expect(options.join('|')).not.toContain('Lung 1500');
    // Keys 1–9 pick the presets in list order; Space resets to the opening window.
    // Option 0 is the 'Window…' placeholder, so an option's index is its preset number.
    const full = options.findIndex((o) => o.includes('Full range'));
    await page.locator('header h1').click();
    await page.keyboard.press(String(full));
    await expect.poll(() => text(page, 'window-level')).not.toBe(opening);
    await page.keyboard.press(' ');
    await expect.poll(() => text(page, 'window-level')).toBe(opening);
  });

  it('answers the keyboard map with focus anywhere, shows it on ?, and outlines the brush at its size', async () => {
    await show(page, 'MR');
    await page.getByRole('button', { name: 'Add segment' }).isEnabled();
    // Focus on the page header, not the image.
    await page.locator('header h1').click();
    const before = await text(page, 'slice-index');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => text(page, 'slice-index')).not.toBe(before);

    await page.keyboard.press('b');
    await expect.poll(() => page.getByTestId('tool-brush').getAttribute('aria-checked')).toBe('true');
    const radius = await page.getByLabel('Brush radius').inputValue();
    await page.keyboard.press(']');
    await expect.poll(() => page.getByLabel('Brush radius').inputValue()).not.toBe(radius);

    // The outline: drawn where the pointer is, though nothing is painted.
    const box = (await page.getByTestId('viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const outline = () =>
      page.evaluate(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="mask-overlay"]')!;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) n++;
        return n;
      });
    await expect.poll(outline).toBeGreaterThan(20);
    const small = await outline();
    for (let i = 0; i < 6; i++) await page.keyboard.press(']');
    await expect.poll(outline).toBeGreaterThan(small * 1.3);
    await page.keyboard.press('v');

    await page.keyboard.press('?');
    await expect.poll(() => page.getByTestId('shortcut-help').isVisible()).toBe(true);
    expect(await page.getByTestId('shortcut-help').textContent()).toContain('Next series');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('shortcut-help').count()).toBe(0);

    await page.keyboard.press('n');
    await expect.poll(() => text(page, 'slice-index')).toBe('Im 1 / 1');
    await page.keyboard.press('N');
    await expect.poll(() => text(page, 'slice-index')).toMatch(/\/ 20$/);
  });

  it('shows the whole result line under the image without moving the image top, and keeps the tag panel readable', async () => {
    await show(page, 'MR');
    await page.getByRole('button', { name: 'Add segment' }).isEnabled();
    const stageTop = async () => (await page.getByTestId('viewport').boundingBox())!.y;
    const top = await stageTop();
    const prompt = page.getByRole('combobox', { name: 'Prompt' });
    await prompt.fill(`infection ${'in the lower left lung and the lower right lung '.repeat(8)}`);
    await prompt.press('Enter');
    const line = page.getByTestId('segment-error');
    await line.waitFor({ timeout: 30_000 });
    expect(await line.textContent()).toContain('no model folder');
    // Read whole, wrapped if need be: nothing cut off.
    expect(await line.evaluate((e) => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight)).toBe(true);
    expect(await stageTop()).toBe(top);

    await page.getByRole('button', { name: 'Tags' }).click();
    await page.getByTestId('tag-row').first().waitFor({ timeout: 15_000 });
    const heights = await page
      .getByTestId('tag-row')
      .evaluateAll((rows) => rows.map((r) => r.getBoundingClientRect().height));
    expect(heights.length).toBeGreaterThan(20);
    expect(Math.max(...heights)).toBeLessThan(24);
    await page.getByRole('button', { name: 'Tags' }).click();
    expect(opened.errors).toEqual([]);
  });
});

// The viewer in Chromium against the real main-process handlers: opens the JPEG 2000 chest
// radiograph and the 20-slice MR series, changes the window, scrolls, and checks what the
// canvas shows (not blank; the slice index and the pixels change).
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../src/main/testing/shared-data';
import { type OpenedApp, openApp, type ServedApp } from './harness';

const RADIOGRAPH = sharedPath('dicom', 'chest-xray', 'RG1_J2KI.dcm');
const MR_SERIES = sharedPath('dicom', 'mr-brain-series');

interface CanvasStats {
  width: number;
  height: number;
  mean: number;
  std: number;
  /** A cheap fingerprint of the pixels, to tell two renderings apart. */
  hash: number;
}

/** Statistics of the viewport canvas's grey levels, read back from the page. */
function canvasStats(page: Page): Promise<CanvasStats> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="viewport"] canvas');
    if (!canvas) throw new Error('no viewport canvas');
    const { width, height } = canvas;
    const data = canvas.getContext('2d')!.getImageData(0, 0, width, height).data;
    let sum = 0;
    let squares = 0;
    let hash = 0;
    for (let i = 0; i < data.length; i += 4) {
      const grey = data[i] as number;
      sum += grey;
      squares += grey * grey;
      hash = (hash * 31 + grey) | 0;
    }
    const n = data.length / 4;
    const mean = sum / n;
    return { width, height, mean, std: Math.sqrt(Math.max(0, squares / n - mean * mean)), hash };
  });
}

async function openPath(page: Page, path: string): Promise<void> {
  await page.getByTestId('open-path').fill(path);
  await page.getByTestId('open-submit').click();
}

async function windowLevel(page: Page): Promise<string> {
  return (await page.getByTestId('window-level').textContent()) ?? '';
}

/** What the preset menu shows: the selected option's text. */
function presetShown(page: Page): Promise<string> {
  return page.getByTestId('preset').evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent ?? '');
}

describe('viewer in Chromium', () => {
  let opened: OpenedApp;
  let app: ServedApp;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    opened = await openApp();
    ({ app, page, errors } = opened);
    // The radiograph opens from the URL fragment, the MR series through the path field below.
    await page.goto(`${app.url}&open=${encodeURIComponent(RADIOGRAPH)}`);
  });
  afterAll(async () => {
    await opened?.close();
  });

  it('shows the JPEG 2000 chest radiograph with its own window, and re-windows it', async () => {
    await page.getByTestId('window-level').waitFor({ timeout: 30_000 });
    // The file's W 30000 / L 15000 spans every stored value (washed out): the histogram window instead.
    await expect.poll(async () => Number(/W ([\d.]+)/.exec(await windowLevel(page))?.[1])).toBeLessThan(29000);
    const opening = await windowLevel(page);
    expect(await page.getByTestId('slice-index').textContent()).toBe('Im 1 / 1');
    const before = await canvasStats(page);
    expect(before.width).toBeGreaterThan(100);
    expect(before.std, 'the canvas is not blank').toBeGreaterThan(10);

    // Window by dragging with the left button (the W/L tool).
    const box = (await page.getByTestId('viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 150, box.y + box.height / 2 + 60, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => windowLevel(page)).not.toBe(opening);
    await expect.poll(async () => (await canvasStats(page)).hash).not.toBe(before.hash);
  });

  it('names the window on screen: the opening one, Custom after a drag, a preset, the opening one after Reset', async () => {
    const preset = page.getByTestId('preset');
    // Left dragged by the test before: Custom.
    expect(await presetShown(page)).toBe('Custom');
    await page.getByRole('button', { name: 'Reset' }).click();
    // The file's W 30000 spans every value, so the film opens on (and resets to) the automatic window.
    await expect.poll(() => presetShown(page)).toContain('Auto (1–99%)');
    const opening = await windowLevel(page);

    // BodyPartExamined CHEST: the chest windows beside the percentile ones, no limb ones.
    const options = await preset.locator('option').allTextContents();
    for (const name of ['Chest · Lung', 'Chest · Mediastinum', 'Chest · Bone', 'High contrast'])
      expect(options.join('|')).toContain(name);
    expect(options.join('|')).not.toContain('Limb');
    const lungs: string[] = [];
    for (const id of ['chest-lung', 'chest-mediastinum']) {
      await preset.selectOption(id);
      await expect
        .poll(() => presetShown(page))
        .toContain(id === 'chest-lung' ? 'Chest · Lung' : 'Chest · Mediastinum');
      lungs.push(await windowLevel(page));
    }
    expect(new Set([opening, ...lungs]).size).toBe(3);

    const box = (await page.getByTestId('viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2, { steps: 3 });
    await page.mouse.up();
    await expect.poll(() => presetShown(page)).toBe('Custom');
    await page.getByRole('button', { name: 'Reset' }).click();
    await expect.poll(() => presetShown(page)).toContain('Auto (1–99%)');
    expect(await windowLevel(page)).toBe(opening);
  });

  it('opens the MR series, scrolls it, and applies a preset', async () => {
    await openPath(page, MR_SERIES);
    const mr = page.getByTestId('series-item').filter({ hasText: '20 images' });
    await mr.waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('slice-index').textContent()).toBe('Im 1 / 20');
    await expect.poll(async () => (await canvasStats(page)).std).toBeGreaterThan(5);
    const first = await canvasStats(page);

    // Wheel scrolls slices.
    await page.getByTestId('viewport').hover();
    for (let i = 0; i < 9; i++) await page.mouse.wheel(0, 100);
    await expect.poll(() => page.getByTestId('slice-index').textContent()).toBe('Im 10 / 20');
    await expect.poll(async () => (await canvasStats(page)).hash).not.toBe(first.hash);
    const tenth = await canvasStats(page);
    expect(tenth.std).toBeGreaterThan(5);

    // Arrow keys step too.
    await page.getByTestId('viewport').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.getByTestId('slice-index').textContent()).toBe('Im 12 / 20');

    // A preset sets the window; MR gets no CT (Hounsfield) presets.
    const beforePreset = await canvasStats(page);
    const opening = await windowLevel(page);
    expect(await page.getByTestId('preset').locator('option[value="brain"]').count()).toBe(0);
    await page.getByTestId('preset').selectOption('full');
    await expect.poll(() => windowLevel(page)).not.toBe(opening);
    await expect.poll(async () => (await canvasStats(page)).hash).not.toBe(beforePreset.hash);

    // Cine plays through the stack until stopped.
    await page.getByTestId('cine').click();
    await expect.poll(() => page.getByTestId('slice-index').textContent()).not.toBe('Im 12 / 20');
    await page.getByTestId('cine').click();
    expect(await page.getByTestId('cine').textContent()).toContain('Cine');

    // The browser lists both series, and the page ran without errors.
    expect(await page.getByTestId('series-item').count()).toBe(2);
    expect(errors).toEqual([]);
  });

  it('lists files it cannot open with the reason, and opens the rest', async () => {
    await openPath(page, sharedPath('dicom', 'misc'));
    const problems = page.getByTestId('open-errors');
    // misc/ holds only readable files, so no error list; the RTSTRUCT is listed as what it is.
    await page.locator('[data-testid="series-item"][data-kind="RTSTRUCT"]').waitFor({ timeout: 30_000 });
    expect(await problems.count()).toBe(0);
    await openPath(page, '/nonexistent/path.dcm');
    await problems.waitFor({ timeout: 15_000 });
    expect(await problems.textContent()).toContain('path.dcm: no such file or folder');
  });
});

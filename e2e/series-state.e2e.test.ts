// What belongs to a series stays with it, in the served app: switching between a radiograph and a CT
// keeps each one's undo history, selected segment, result line under the prompt and path boxes; after a
// reload the empty window lists the store's recent studies, and opening one (or a path) shows that series.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../src/main/testing/shared-data';
import { type OpenedApp, openApp, paintedSegment, saved } from './harness';

const DX = sharedPath('dicom', 'chest-xray', 'dx_image.dcm');
const CT_DIR = sharedPath('dicom', 'ct-3slice-with-seg');
const CT_FILES = ['01.dcm', '02.dcm', '03.dcm'].map((f) => join(CT_DIR, f));

const rows = (page: Page) => page.getByTestId('segment-row').count();
const selectedRow = (page: Page) => page.locator('[data-testid="segment-row"].selected [data-testid="segment-name"]');
const shownSeries = (page: Page) => page.locator('[data-testid="series-item"][aria-current="true"]');

/** Waits until the series is drawn and its segments are loaded. */
async function ready(page: Page, frames: number): Promise<void> {
  await expect.poll(() => page.getByTestId('slice-index').textContent(), { timeout: 20_000 }).toBe(`Im 1 / ${frames}`);
  await page.getByTestId('window-level').waitFor({ timeout: 20_000 });
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect
    .poll(() => page.getByRole('button', { name: 'Add segment' }).isEnabled(), { timeout: 20_000 })
    .toBe(true);
}

async function showSeries(page: Page, modality: 'DX' | 'CT'): Promise<void> {
  await page.getByTestId('series-item').filter({ hasText: modality }).click();
  await ready(page, modality === 'CT' ? 3 : 1);
}

async function pixelsOf(page: Page, name: string): Promise<number> {
  const row = page
    .getByTestId('segment-row')
    .filter({ has: page.getByTestId('segment-name').getByText(name, { exact: true }) });
  return Number(await row.getByTestId('segment-pixels').textContent());
}

/** A fresh page load (a goto that changes only the fragment would not reload). */
async function reload(page: Page, url: string): Promise<void> {
  await page.goto('about:blank');
  await page.goto(url);
}

async function openTyped(page: Page, path: string): Promise<void> {
  await page.getByTestId('open-path').fill(path);
  await page.getByTestId('open-submit').click();
}

describe('each series keeps its own state in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-series-state-'));
    // No model here: a prompt's answer is an error line, which is that series' result line.
    opened = await openApp({ NEXTMASK_WORKSPACE: join(dir, 'store'), NEXTMASK_MODEL_DIR: join(dir, 'no-model') });
    page = opened.page;
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the undo history and selected segment of each series across switches', async () => {
    const paths = [...CT_FILES, DX].map((f) => `&open=${encodeURIComponent(f)}`).join('');
    await page.goto(`${opened.app.url}${paths}`);
    await showSeries(page, 'DX');
    // The radiograph: two painted segments, the second (not the first in the list) selected.
    await paintedSegment(page, 0.3);
    await paintedSegment(page, 0.6);
    await saved(page);
    expect(await pixelsOf(page, 'Segment 2')).toBeGreaterThan(0);
    expect(await selectedRow(page).textContent()).toBe('Segment 2');

    await showSeries(page, 'CT');
    await paintedSegment(page, 0.5);
    await saved(page);
    expect(await pixelsOf(page, 'Segment 1')).toBeGreaterThan(0);

    // Back on the radiograph: its selection as it was, and its last step (the second stroke) to undo.
    await showSeries(page, 'DX');
    expect(await selectedRow(page).textContent()).toBe('Segment 2');
    expect(await page.getByTestId('undo').isEnabled()).toBe(true);
    await page.getByTestId('undo').click();
    await expect.poll(() => pixelsOf(page, 'Segment 2')).toBe(0);
    expect(await rows(page)).toBe(2);
    await saved(page);

    // The CT's history is its own: one undo takes back its one stroke.
    await showSeries(page, 'CT');
    await page.getByTestId('undo').click();
    await expect.poll(() => pixelsOf(page, 'Segment 1')).toBe(0);
    await saved(page);
    expect(opened.errors).toEqual([]);
  });

  it('shows each series its own result line and path boxes', async () => {
    // The radiograph opened by its path: the path box shows it; a prompt answered; both mask path boxes typed in.
    await openTyped(page, DX);
    await ready(page, 1);
    expect(await shownSeries(page).textContent()).toContain('DX');
    expect(await page.getByTestId('open-path').inputValue()).toBe(DX);
    const prompt = page.getByRole('combobox', { name: 'Prompt' });
    await prompt.fill('left lung');
    await prompt.press('Enter');
    const dxLine = page.getByTestId('segment-error');
    await dxLine.waitFor({ timeout: 30_000 });
    const dxText = await dxLine.textContent();
    await page.getByTestId('import-path').fill('dx-file.dcm');
    await page.getByTestId('export-path').fill('dx-export');

    // The CT shows its own: no result line, its own export name, an empty import box, no path it was typed as.
    await showSeries(page, 'CT');
    expect(await page.getByTestId('segment-error').count()).toBe(0);
    expect(await page.getByTestId('segment-message').count()).toBe(0);
    expect(await page.getByTestId('import-path').inputValue()).toBe('');
    const ctExport = await page.getByTestId('export-path').inputValue();
    expect(ctExport).not.toBe('dx-export');
    expect(ctExport).not.toBe('');
    expect(await page.getByTestId('open-path').inputValue()).toBe('');

    // Back on the radiograph: its line and boxes as they were.
    await showSeries(page, 'DX');
    expect(await page.getByTestId('segment-error').textContent()).toBe(dxText);
    expect(await page.getByTestId('import-path').inputValue()).toBe('dx-file.dcm');
    expect(await page.getByTestId('export-path').inputValue()).toBe('dx-export');
    expect(await page.getByTestId('open-path').inputValue()).toBe(DX);
    expect(opened.errors).toEqual([]);
  });

  it('lists recent studies in an empty window and shows the series asked for', async () => {
    // Reloaded with nothing to open: the store's studies, each with its segments.
    await reload(page, opened.app.url);
    const recent = page.getByTestId('recent-study');
    await expect.poll(() => recent.count(), { timeout: 15_000 }).toBe(2);
    expect(await page.getByTestId('series-item').count()).toBe(0);
    expect(await recent.filter({ hasText: 'DX' }).textContent()).toContain('2 segments');

    // One path typed: its series alone is listed and shown, not every series main opened before.
    await openTyped(page, DX);
    await ready(page, 1);
    expect(await page.getByTestId('series-item').count()).toBe(1);
    expect(await shownSeries(page).textContent()).toContain('DX');
    expect(await rows(page)).toBe(2);

    // A recent study opened from the list: that series is the one shown, with its segments.
    await reload(page, opened.app.url);
    await recent.filter({ hasText: 'CT' }).click();
    await ready(page, 3);
    expect(await shownSeries(page).textContent()).toContain('CT');
    expect(await rows(page)).toBe(1);
    expect(await page.getByTestId('recent-studies').count()).toBe(0);
    expect(opened.errors).toEqual([]);
  });
});

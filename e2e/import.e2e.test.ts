// Imports that keep everything and ask about duplicates, in the served app: a SEG exported from a
// radiograph's segments and imported back into it (some or all of them already there), two SEGs
// imported straight after each other into a CT with none, then a reload: every imported segment
// is in the store, and the panel never shows "Not saved".
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

async function showSeries(page: Page, modality: 'DX' | 'CT'): Promise<void> {
  await page.getByTestId('series-item').filter({ hasText: modality }).click();
  await page.getByTestId('window-level').waitFor({ timeout: 20_000 });
  await page.getByRole('button', { name: 'Reset' }).click();
  await expect
    .poll(() => page.getByRole('button', { name: 'Add segment' }).isEnabled(), { timeout: 20_000 })
    .toBe(true);
}

async function importPath(page: Page, path: string): Promise<void> {
  await page.getByTestId('import-path').fill(path);
  await page.getByTestId('import-submit').click();
}

describe('importing into a series in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;
  let page: Page;
  let url: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-import-'));
    opened = await openApp({ NEXTMASK_WORKSPACE: join(dir, 'store'), HOME: dir });
    page = opened.page;
    url = `${opened.app.url}${[DX, ...CT_FILES].map((f) => `&open=${encodeURIComponent(f)}`).join('')}`;
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every import across a reload, and asks before adding segments already there', async () => {
    await page.goto(url);
    await showSeries(page, 'DX');
    await paintedSegment(page, 0.3);
    await paintedSegment(page, 0.6);
    await saved(page);
    await page.getByTestId('export-path').fill('dx-roundtrip');
    await page.getByTestId('export-submit').click();
    await page.getByTestId('masks-message').filter({ hasText: 'Exported' }).waitFor();

    // One of the file's two segments is still here: the panel asks, and adds only the new one.
    await page.getByTestId('segment-name').filter({ hasText: 'Segment 2' }).click();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await expect.poll(() => rows(page)).toBe(1);
    await importPath(page, 'dx-roundtrip.dcm');
    const ask = page.getByTestId('duplicate-import');
    await ask.waitFor();
    expect(await page.getByTestId('duplicate-text').textContent()).toContain(
      '1 of the 2 segments in dx-roundtrip.dcm is already here',
    );
    expect(await rows(page)).toBe(1);
    await page.getByTestId('import-new').click();
    await expect.poll(() => rows(page)).toBe(2);
    await saved(page);

    // Both are here now: only "anyway" or "cancel"; cancel adds nothing, anyway adds both again.
    await importPath(page, 'dx-roundtrip.dcm');
    await ask.waitFor();
    expect(await page.getByTestId('duplicate-text').textContent()).toContain(
      'All 2 segments in dx-roundtrip.dcm are already here',
    );
    expect(await page.getByTestId('import-new').count()).toBe(0);
    await page.getByTestId('import-cancel').click();
    expect(await ask.count()).toBe(0);
    expect(await rows(page)).toBe(2);
    await importPath(page, 'dx-roundtrip.dcm');
    await page.getByTestId('import-anyway').click();
    await expect.poll(() => rows(page)).toBe(4);
    expect(await page.getByTestId('masks-message').textContent()).toBe('Imported 2 segment(s)');
    await saved(page);

    // A CT with no segments: two SEGs straight after each other, the second while the first saves.
    await showSeries(page, 'CT');
    expect(await rows(page)).toBe(0);
    await importPath(page, join(CT_DIR, 'seg-partial-overlaps.dcm'));
    await expect.poll(() => rows(page), { timeout: 15_000 }).toBeGreaterThan(1);
    const overlaps = await rows(page);
    await importPath(page, join(CT_DIR, 'seg-liver.dcm'));
    await expect.poll(() => rows(page), { timeout: 15_000 }).toBe(overlaps + 1);
    await saved(page);
    expect(await page.getByTestId('retry-save').count()).toBe(0);

    // Reloaded without any Retry: everything imported is in the store.
    await page.reload();
    await showSeries(page, 'CT');
    await expect.poll(() => rows(page), { timeout: 15_000 }).toBe(overlaps + 1);
    await showSeries(page, 'DX');
    await expect.poll(() => rows(page), { timeout: 15_000 }).toBe(4);
    expect(opened.errors).toEqual([]);
  });
});

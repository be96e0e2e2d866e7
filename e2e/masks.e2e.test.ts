// Masks end to end in Chromium against the real handlers and a scratch workspace: open the CT
// series, import seg-liver.dcm, paint, undo, export SEG, reload, and the mask is still there.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSeg } from '../src/main/seg/read-seg';
import { readSourceImages } from '../src/main/seg/source-images';
import { sharedPath } from '../src/main/testing/shared-data';
import { type OpenedApp, openApp, overlayPixels, type ServedApp } from './harness';

const CT_DIR = sharedPath('dicom', 'ct-3slice-with-seg');
const CT_FILES = ['01.dcm', '02.dcm', '03.dcm'].map((f) => join(CT_DIR, f));
const LIVER_SEG = join(CT_DIR, 'seg-liver.dcm');

async function liverPixels(page: Page): Promise<number> {
  const row = page.getByTestId('segment-row').filter({ hasText: 'Liver' });
  return Number(await row.getByTestId('segment-pixels').textContent());
}

describe('masks in Chromium', () => {
  let workspace: string;
  let opened: OpenedApp;
  let app: ServedApp;
  let page: Page;
  let errors: string[];
  const url = () => `${app.url}${CT_FILES.map((f) => `&open=${encodeURIComponent(f)}`).join('')}`;

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'nextmask-e2e-masks-'));
    // The served app's store goes to a scratch workspace.
    opened = await openApp({ NEXTMASK_WORKSPACE: join(workspace, 'store') });
    ({ app, page, errors } = opened);
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('imports, paints, undoes, exports SEG, and finds the mask again after a reload', async () => {
    await page.goto(url());
    await page.getByTestId('window-level').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('slice-index').textContent()).toBe('Im 1 / 3');
    await page.getByTestId('segments').waitFor();

    // Import the liver SEG over the series.
    await page.getByTestId('import-path').fill(LIVER_SEG);
    await page.getByTestId('import-submit').click();
    await page.getByTestId('segment-row').filter({ hasText: 'Liver' }).waitFor({ timeout: 15_000 });
    const imported = await liverPixels(page);
    expect(imported).toBeGreaterThan(1000);
    await expect.poll(() => overlayPixels(page)).toBeGreaterThan(100);
    const shownBefore = await overlayPixels(page);

    // Paint a stroke across the image with the brush: the segment grows.
    await page.getByTestId('tool-brush').click();
    const box = (await page.getByTestId('viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.7, box.y + box.height * 0.25, { steps: 3 });
    await page.mouse.up();
    // Off the image, so the brush outline is not counted as painted pixels.
    await page.mouse.move(1, 1);
    await expect.poll(() => liverPixels(page)).toBeGreaterThan(imported);
    await expect
      .poll(() => overlayPixels(page), { message: 'the stroke shows on the overlay' })
      .toBeGreaterThan(shownBefore);

    // Undo (Ctrl+Z) brings back exactly the imported mask.
    await page.keyboard.press('Control+z');
    await expect.poll(() => liverPixels(page)).toBe(imported);
    await expect.poll(() => overlayPixels(page)).toBe(shownBefore);

    // Every change is saved as it happens; export SEG writes what the store holds.
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('All changes saved');
    const out = join(workspace, 'liver-export.dcm');
    await page.getByTestId('export-path').fill(out);
    await page.getByTestId('export-submit').click();
    await expect.poll(() => page.getByTestId('masks-message').textContent()).toContain('Exported');
    expect(existsSync(out)).toBe(true);
    const exported = await readSeg(readFileSync(out), await readSourceImages(CT_FILES));
    expect(exported.segments.map((s) => s.label)).toEqual(['Liver']);
    const exportedPixels = exported.segments[0]!.masks.reduce((n, m) => n + m.data.reduce((a, v) => a + v, 0), 0);
    expect(exportedPixels).toBe(imported);

    // Reload: the page starts empty, opens the series again, and the saved mask is back.
    await page.goto('about:blank');
    await page.goto(url());
    await page.getByTestId('segment-row').filter({ hasText: 'Liver' }).waitFor({ timeout: 30_000 });
    expect(await liverPixels(page)).toBe(imported);
    expect(errors).toEqual([]);
  });
});

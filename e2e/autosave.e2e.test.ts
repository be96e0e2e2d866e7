// Nothing lost: every committed edit (an imported SEG, a brush stroke) is in the workspace store
// at once, so switching series, reloading the page, closing it right after a stroke, quitting the
// server and killing it with SIGKILL all keep it. Chromium against `nextmask serve`.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../src/main/testing/shared-data';
import { launchBrowser, type ServedApp, serveApp, watchErrors } from './harness';

const CT_DIR = sharedPath('dicom', 'ct-3slice-with-seg');
const CT_FILES = ['01.dcm', '02.dcm', '03.dcm'].map((f) => join(CT_DIR, f));
const MR_DIR = sharedPath('dicom', 'mr-brain-series');

async function pixelsOf(page: Page, name: string): Promise<number> {
  const row = page.getByTestId('segment-row').filter({ hasText: name });
  return Number(await row.getByTestId('segment-pixels').textContent());
}

async function saved(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId('save-state').textContent(), { timeout: 10_000 }).toBe('All changes saved');
}

/** One brush stroke across the viewport, between two fractions of its height. */
async function stroke(page: Page, y: number, release = true): Promise<void> {
  const box = (await page.getByTestId('viewport').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * y, { steps: 4 });
  if (release) await page.mouse.up();
}

async function showSeries(page: Page, modality: 'CT' | 'MR'): Promise<void> {
  await page.getByTestId('series-item').filter({ hasText: modality }).click();
  await expect
    .poll(() => page.getByTestId('slice-index').textContent(), { timeout: 20_000 })
    .toBe(`Im 1 / ${modality === 'CT' ? 3 : 20}`);
  await page.getByTestId('window-level').waitFor({ timeout: 20_000 });
  // The whole image in view, so the strokes land where the test expects.
  await page.getByRole('button', { name: 'Reset' }).click();
  // The series' segments are loaded once they can be added to.
  await expect
    .poll(() => page.getByRole('button', { name: 'Add segment' }).isEnabled(), { timeout: 20_000 })
    .toBe(true);
}

describe('autosave in Chromium', () => {
  let workspace: string;
  let app: ServedApp;
  let browser: Browser;
  const env = () => ({ NEXTMASK_WORKSPACE: join(workspace, 'store') });

  async function openPage(): Promise<{ page: Page; errors: string[] }> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const errors = watchErrors(page);
    const paths = [...CT_FILES, MR_DIR].map((f) => `&open=${encodeURIComponent(f)}`).join('');
    await page.goto(`${app.url}${paths}`);
    await page.getByTestId('series-item').filter({ hasText: 'MR' }).waitFor({ timeout: 30_000 });
    return { page, errors };
  }

  beforeAll(async () => {
    workspace = mkdtempSync(join(tmpdir(), 'nextmask-e2e-autosave-'));
    app = await serveApp([], env());
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('keeps every committed edit across a series switch, a reload, a closed tab, a quit and a SIGKILL', async () => {
    let { page, errors } = await openPage();
    await showSeries(page, 'CT');
    await page.getByTestId('import-path').fill(join(CT_DIR, 'seg-liver.dcm'));
    await page.getByTestId('import-submit').click();
    await page.getByTestId('segment-row').filter({ hasText: 'Liver' }).waitFor({ timeout: 15_000 });
    const imported = await pixelsOf(page, 'Liver');
    await page.getByTestId('tool-brush').click();
    await stroke(page, 0.05);
    await expect.poll(() => pixelsOf(page, 'Liver')).toBeGreaterThan(imported);
    const painted = await pixelsOf(page, 'Liver');

    // Another series straight after the stroke: no Save pressed, nothing asked, nothing lost.
    await showSeries(page, 'MR');
    expect(await page.getByTestId('segment-row').count()).toBe(0);
    await page.getByRole('button', { name: 'Add segment' }).click();
    await stroke(page, 0.5);
    await expect.poll(() => pixelsOf(page, 'Segment 1')).toBeGreaterThan(0);
    const mr = await pixelsOf(page, 'Segment 1');
    await showSeries(page, 'CT');
    await expect.poll(() => pixelsOf(page, 'Liver')).toBe(painted);
    await showSeries(page, 'MR');
    await expect.poll(() => pixelsOf(page, 'Segment 1')).toBe(mr);

    // A reload.
    await page.reload();
    await showSeries(page, 'CT');
    await expect.poll(() => pixelsOf(page, 'Liver'), { timeout: 15_000 }).toBe(painted);

    // The tab closed the moment a stroke ends: the stroke is kept.
    await page.getByTestId('tool-brush').click();
    await stroke(page, 0.1);
    await page.close();
    expect(errors).toEqual([]);
    ({ page, errors } = await openPage());
    await showSeries(page, 'CT');
    await expect.poll(() => pixelsOf(page, 'Liver'), { timeout: 15_000 }).toBeGreaterThan(painted);
    const closed = await pixelsOf(page, 'Liver');

    // Quit mid-edit: one stroke committed, the next still under the pointer when the app quits.
    await page.getByTestId('tool-brush').click();
    await stroke(page, 0.15);
    await page.screenshot({ path: '/tmp/wf-shot.png' });
    await saved(page);
    const committed = await pixelsOf(page, 'Liver');
    expect(committed).toBeGreaterThan(closed);
    await stroke(page, 0.85, false);
    await page.close();
    await app.stop('SIGTERM');
    app = await serveApp([], env());
    ({ page, errors } = await openPage());
    await showSeries(page, 'CT');
    await expect.poll(() => pixelsOf(page, 'Liver'), { timeout: 15_000 }).toBe(committed);

    // A crash: SIGKILL right after the save is confirmed.
    await page.getByTestId('tool-brush').click();
    await stroke(page, 0.95);
    await saved(page);
    const beforeKill = await pixelsOf(page, 'Liver');
    expect(beforeKill).toBeGreaterThan(committed);
    await app.stop('SIGKILL');
    await page.close();
    app = await serveApp([], env());
    ({ page, errors } = await openPage());
    await showSeries(page, 'CT');
    await expect.poll(() => pixelsOf(page, 'Liver'), { timeout: 15_000 }).toBe(beforeKill);
    await showSeries(page, 'MR');
    await expect.poll(() => pixelsOf(page, 'Segment 1')).toBe(mr);
    expect(errors).toEqual([]);
  });
});

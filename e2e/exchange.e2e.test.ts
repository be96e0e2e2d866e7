// Export and import where people expect them, in the served app: a SEG opened by path is drawn over
// the CT it refers to, a second import of the same SEG asks first, and typed export paths land in the
// default export folder with their extension, `~` expanded, folders and missing files told in words;
// the format starts on what the source allows (no SEG for a PNG film).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../src/main/testing/shared-data';
import { type OpenedApp, openApp } from './harness';

const LIVER_SEG = sharedPath('dicom', 'ct-3slice-with-seg', 'seg-liver.dcm');
const FILM = sharedPath('data', 'covid-qu-ex', 'val', 'covid', 'images', 'covid_1903.png');

const rows = (page: Page) => page.getByTestId('segment-row').count();

/** Exports to the typed path; returns the line shown: the success message or the error, whichever comes. */
async function exportTo(page: Page, typed: string): Promise<string> {
  await page.getByTestId('export-path').fill(typed);
  await page.getByTestId('export-submit').click();
  // The two lines are separate elements (message, error): wait for either, not for one that may never come.
  const line = page.getByTestId('masks-message').or(page.getByTestId('masks-error'));
  await line.waitFor();
  return (await line.textContent()) ?? '';
}

describe('export and import in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-exchange-'));
    mkdirSync(join(dir, 'home'));
    opened = await openApp({ NEXTMASK_WORKSPACE: join(dir, 'store'), HOME: join(dir, 'home') });
    page = opened.page;
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws a SEG opened by path over the CT beside it, and asks before importing it twice', async () => {
    await page.goto(`${opened.app.url}&open=${encodeURIComponent(LIVER_SEG)}`);
    await page.getByTestId('segment-row').filter({ hasText: 'Liver' }).waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('slice-index').textContent()).toBe('Im 1 / 3');
    await expect
      .poll(() =>
        page.evaluate(() => {
          const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="mask-overlay"]')!;
          const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let n = 0;
          for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) n++;
          return n;
        }),
      )
      .toBeGreaterThan(100);

    await page.getByTestId('import-path').fill(LIVER_SEG);
    await page.getByTestId('import-submit').click();
    await page.getByTestId('duplicate-import').waitFor();
    expect(await rows(page)).toBe(1);
    await page.getByTestId('import-cancel').click();
    expect(await rows(page)).toBe(1);
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-anyway').click();
    await expect.poll(() => rows(page)).toBe(2);
    await page.getByTestId('undo').click();
    await expect.poll(() => rows(page)).toBe(1);
  });

  it('exports to the default folder with the extension added, expands ~, and says in words what is wrong', async () => {
    const exports = join(dir, 'store', 'exports');
    // The suggested name, with nothing typed: into the workspace's export folder, as .dcm.
    const suggested = await page.getByTestId('export-path').inputValue();
    expect(suggested).not.toBe('');
    expect(await exportTo(page, suggested)).toBe(`Exported ${join(exports, `${suggested}.dcm`)}`);
    expect(existsSync(join(exports, `${suggested}.dcm`))).toBe(true);

    expect(await exportTo(page, 'liver-no-extension')).toBe(`Exported ${join(exports, 'liver-no-extension.dcm')}`);
    expect(await exportTo(page, '~/from-home')).toBe(`Exported ${join(dir, 'home', 'from-home.dcm')}`);
    expect(existsSync(join(dir, 'home', 'from-home.dcm'))).toBe(true);

    const folder = await exportTo(page, join(dir, 'home'));
    expect(folder).toBe(`${join(dir, 'home')} is a folder: give a file name inside it`);
    expect(await page.getByTestId('masks-message').count()).toBe(0);

    const missing = join(dir, 'nowhere', 'seg.dcm');
    await page.getByTestId('import-path').fill(missing);
    await page.getByTestId('import-submit').click();
    await page.getByTestId('masks-error').filter({ hasText: 'no file' }).waitFor();
    expect(await page.getByTestId('masks-error').textContent()).toBe(`no file at ${missing}`);
    expect(await rows(page)).toBe(1);
    expect(opened.errors).toEqual([]);
  });

  it('starts a PNG film on a mask image format, offers SEG disabled with the reason, and a DICOM series on SEG', async () => {
    const format = page.getByTestId('export-format');
    expect(await format.inputValue()).toBe('seg');
    await page.getByTestId('open-path').fill(FILM);
    await page.getByTestId('open-submit').click();
    await page.getByTestId('series-item').filter({ hasText: 'covid_1903' }).click();
    await expect.poll(() => page.getByTestId('slice-index').textContent(), { timeout: 30_000 }).toBe('Im 1 / 1');
    await expect.poll(() => format.inputValue()).toBe('png');
    const seg = format.locator('option[value="seg"]');
    expect(await seg.isDisabled()).toBe(true);
    expect(await seg.getAttribute('title')).toContain('DICOM SEG needs a DICOM image');
    expect(await format.getAttribute('title')).toContain('DICOM SEG needs a DICOM image');

    // A painted mask exports in the default format, without being refused.
    await page.getByRole('button', { name: 'Add segment' }).click();
    await page.getByTestId('tool-brush').click();
    const box = (await page.getByTestId('viewport').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    await page.keyboard.press('v');
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('All changes saved');
    expect(await exportTo(page, 'film-mask')).toBe(`Exported ${join(dir, 'store', 'exports', 'film-mask.png')}`);

    await page.getByTestId('series-item').filter({ hasText: 'CT' }).first().click();
    await expect.poll(() => format.inputValue()).toBe('seg');
    expect(await format.locator('option[value="seg"]').isDisabled()).toBe(false);
    expect(opened.errors).toEqual([]);
  });
});

// The segment table in Chromium: a colour change shows in the row's swatch at once, long names take
// one line (whole in the tooltip and in the selected row), every row has its eye and lock, and each segment's coding is shown and can be changed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../src/main/testing/shared-data';
import { type OpenedApp, openApp } from './harness';

const LIVER_SEG = sharedPath('dicom', 'ct-3slice-with-seg', 'seg-liver.dcm');
const LONG = 'Bilateral pulmonary infection, two infected areas, lower left lung and';

const rowNamed = (page: Page, name: string) =>
  page.getByTestId('segment-row').filter({ has: page.getByTestId('segment-name').getByText(name, { exact: true }) });

describe('segment table in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-table-'));
    opened = await openApp({ NEXTMASK_WORKSPACE: join(dir, 'store') });
    page = opened.page;
    await page.goto(`${opened.app.url}&open=${encodeURIComponent(LIVER_SEG)}`);
    await page.getByTestId('segment-row').filter({ hasText: 'Liver' }).waitFor({ timeout: 30_000 });
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('redraws the swatch at once, shows long names on one line, has eye and lock on every row, and shows and edits codings', async () => {
    const liver = rowNamed(page, 'Liver');
    // The SEG's own coding is shown as read.
    expect(await liver.getByTestId('segment-coding').textContent()).toBe('Liver');

    // Two segments whose names differ only after 40 characters.
    for (const side of ['lower right lung', 'upper right lung']) {
      await page.getByRole('button', { name: 'Add segment' }).click();
      const name = page.getByRole('textbox', { name: 'Name' });
      await name.fill(`${LONG} ${side}`);
      await name.press('Enter');
      await rowNamed(page, `${LONG} ${side}`).waitFor();
    }
    // One line each, the whole name in the tooltip; the selected (last added) row shows it whole.
    const fits = (side: string) =>
      rowNamed(page, `${LONG} ${side}`)
        .getByTestId('segment-name')
        .evaluate((e) => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight);
    expect(await fits('lower right lung')).toBe(false);
    expect(await fits('upper right lung')).toBe(true);
    for (const side of ['lower right lung', 'upper right lung']) {
      const row = rowNamed(page, `${LONG} ${side}`);
      expect(await row.locator('button[title]').first().getAttribute('title')).toBe(`${LONG} ${side}`);
    }

    // Eye and lock on every row, not only the selected one.
    expect(await page.getByTestId('segment-visible').count()).toBe(3);
    expect(await page.getByTestId('segment-lock').count()).toBe(3);
    await liver.getByTestId('segment-visible').click();
    await liver.getByTestId('segment-lock').click();
    expect(await liver.getByTestId('segment-visible').getAttribute('aria-pressed')).toBe('true');
    expect(await liver.getByTestId('segment-lock').getAttribute('aria-pressed')).toBe('true');

    // The colour: the swatch follows without a reload.
    const last = rowNamed(page, `${LONG} upper right lung`);
    await page.getByRole('textbox', { name: 'Name' }).waitFor();
    await page.getByLabel('Colour').fill('#00ff00');
    await expect
      .poll(() => last.getByTestId('segment-swatch').evaluate((e) => getComputedStyle(e).backgroundColor), {
        timeout: 2000,
      })
      .toBe('rgb(0, 255, 0)');

    // The coding: chosen in the selected row, shown in its line, kept by the store.
    expect(await last.getByTestId('segment-coding').textContent()).toBe('not coded');
    await page.getByTestId('segment-coding-kind').selectOption('infiltrate');
    await page.getByTestId('segment-side').selectOption('right');
    await expect
      .poll(() => last.getByTestId('segment-coding').textContent())
      .toBe('Radiologic infiltrate of lung · right');
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('All changes saved');

    await page.reload();
    const again = rowNamed(page, `${LONG} upper right lung`);
    await again.waitFor({ timeout: 30_000 });
    expect(await again.getByTestId('segment-coding').textContent()).toBe('Radiologic infiltrate of lung · right');
    expect(await again.getByTestId('segment-swatch').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe(
      'rgb(0, 255, 0)',
    );
    expect(await rowNamed(page, 'Liver').getByTestId('segment-lock').getAttribute('aria-pressed')).toBe('true');
    expect(opened.errors).toEqual([]);
  });
});

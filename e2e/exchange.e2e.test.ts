// Import where people expect it, in the served app: a SEG opened by path is drawn over the CT it
// refers to, and a second import of the same SEG asks first.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../src/main/testing/shared-data';
import { type OpenedApp, openApp } from './harness';

const LIVER_SEG = sharedPath('dicom', 'ct-3slice-with-seg', 'seg-liver.dcm');

const rows = (page: Page) => page.getByTestId('segment-row').count();

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
    await page.getByTestId('import-skip').click();
    expect(await rows(page)).toBe(1);
    await page.getByTestId('import-submit').click();
    await page.getByTestId('import-again').click();
    await expect.poll(() => rows(page)).toBe(2);
    await page.getByTestId('undo').click();
    await expect.poll(() => rows(page)).toBe(1);
  });
});

// Prompt → mask in Chromium against the real handlers, with a small random model of the real format
// (the served app's NEXTMASK_MODEL_DIR): open the chest radiograph, type a prompt, press Enter, see
// the progress and the streamed partial mask over the image, then the result as an AI segment.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../src/main/testing/shared-data';
import { writeRandomModel } from '../src/main/testing/tiny-model';
import { type OpenedApp, openApp, type ServedApp } from './harness';

const J2K = sharedPath('dicom', 'chest-xray', 'RG1_J2KI.dcm');

/** Records, every animation frame, the first and most mask tokens shown decoded of the answer's total and the most overlay pixels drawn meanwhile. */
function watchStreaming(page: Page): Promise<void> {
  return page.evaluate(() => {
    const seen = { first: 0, decoded: 0, total: 0, previewPixels: 0 };
    (window as unknown as { seen: typeof seen }).seen = seen;
    const tick = () => {
      const progress = document.querySelector('[data-testid="segment-progress"]');
      const [, count, total] = /(\d+)\/(\d+)/.exec(progress?.textContent ?? '') ?? [];
      const decoded = Number(count ?? 0);
      if (decoded > 0) {
        seen.total ||= Number(total);
        seen.first ||= decoded;
        seen.decoded = Math.max(seen.decoded, decoded);
        const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="mask-overlay"]');
        if (canvas && canvas.width > 0) {
          const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
          let n = 0;
          for (let i = 3; i < data.length; i += 4) if ((data[i] as number) > 0) n++;
          seen.previewPixels = Math.max(seen.previewPixels, n);
        }
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

describe('segmenting from a prompt in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;
  let app: ServedApp;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-segment-'));
    await writeRandomModel(dir);
    // The served app gets the random model, the CPU and a scratch workspace.
    opened = await openApp({
      NEXTMASK_MODEL_DIR: join(dir, 'model'),
      NEXTMASK_EXECUTION_PROVIDER: 'cpu',
      NEXTMASK_WORKSPACE: join(dir, 'store'),
    });
    ({ app, page, errors } = opened);
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('types a prompt, streams the mask over the image, and adds it as a segment', async () => {
    await page.goto(`${app.url}&open=${encodeURIComponent(J2K)}`);
    await page.getByTestId('window-level').waitFor({ timeout: 30_000 });
    // The model loads in the background when the app starts, before any prompt.
    await expect.poll(() => page.getByTestId('segment-provider').textContent(), { timeout: 30_000 }).toBe('cpu');
    const prompt = page.getByRole('combobox', { name: 'Prompt' });
    await expect.poll(() => prompt.isEnabled(), { timeout: 15_000 }).toBe(true);

    await watchStreaming(page);
    await prompt.fill('left lung');
    await prompt.press('Enter');

    const row = page.getByTestId('segment-row').filter({ hasText: 'left lung' });
    await row.waitFor({ timeout: 60_000 });
    const message = (await page.getByTestId('segment-message').textContent()) ?? '';
    expect(message).toMatch(/^“left lung”: [\d,]+ px, \d+ passes, \d+ ms on cpu$/);
    const pixels = Number(/([\d,]+) px/.exec(message)?.[1]?.replaceAll(',', ''));
    expect(Number(await row.getByTestId('segment-pixels').textContent())).toBe(pixels);
    expect(await page.getByTestId('segment-provider').textContent()).toBe('cpu');
    // Coded from the prompt, as the SEG export will write it.
    expect(await row.getByTestId('segment-coding').textContent()).toBe('Lung · left');

    const seen = await page.evaluate(
      () =>
        (window as unknown as { seen: { first: number; decoded: number; total: number; previewPixels: number } }).seen,
    );
    // Progress was shown while the tokens decoded, with the partial mask drawn over the image.
    expect(seen.first).toBeGreaterThan(0);
    expect(seen.first).toBeLessThan(seen.total);
    expect(seen.decoded).toBeGreaterThan(seen.first);
    expect(seen.previewPixels).toBeGreaterThan(0);
    expect(errors).toEqual([]);
  });
});

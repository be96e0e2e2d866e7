// An answer as the user watches it in Chromium, with a small random model of the real format that decodes
// under the expected rule (every test-time view and the lung gate, as the shipped model does): the first
// draft is over the image before the answer arrives, the progress total never changes while it runs,
// the answer's uncertainty toggles over the image with its legend, and a hand edit marks it "AI · edited".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TIME_VIEWS } from '../src/main/segmenter/pipeline/test-time-views';
import { sharedPath } from '../src/main/testing/shared-data';
import { writeRandomModel } from '../src/main/testing/tiny-model';
import { GRID_TOKENS } from '../src/shared/tokens';
import { type OpenedApp, openApp, randomModelEnv } from './harness';

const J2K = sharedPath('dicom', 'chest-xray', 'RG1_J2KI.dcm');
/** A finding placed in a lung: every view, then the lung gate's own decode. */
const PROMPT = 'infection in the left lung';

interface Seen {
  /** Every progress total shown, in order of first sight. */
  totals: number[];
  /** The decoded count when a draft was first drawn over the image (0: never). */
  draftAt: number;
  /** Whether the answer's segment was already listed when the first draft was drawn. */
  answerBeforeDraft: boolean;
  /** Whether the answer's segment has been listed. */
  answered: boolean;
}

/** Records, every animation frame, the progress totals shown and when the first draft appears over the image. */
function watchAnswer(page: Page, prompt: string): Promise<void> {
  return page.evaluate((prompt) => {
    const seen = { totals: [] as number[], draftAt: 0, answerBeforeDraft: false, answered: false };
    (window as unknown as { seen: typeof seen }).seen = seen;
    const listed = () =>
      [...document.querySelectorAll('[data-testid="segment-row"]')].some((r) => r.textContent?.includes(prompt));
    const tick = () => {
      seen.answered ||= listed();
      const progress = document.querySelector('[data-testid="segment-progress"]')?.textContent ?? '';
      const [, decoded, total] = /(\d+)\/(\d+)/.exec(progress) ?? [];
      if (total && !seen.totals.includes(Number(total))) seen.totals.push(Number(total));
      if (!seen.draftAt && decoded) {
        const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="mask-overlay"]');
        const data =
          canvas && canvas.width > 0
            ? canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data
            : [];
        for (let i = 3; i < data.length; i += 4) {
          if ((data[i] as number) > 0) {
            seen.draftAt = Number(decoded);
            seen.answerBeforeDraft = seen.answered;
            break;
          }
        }
      }
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  }, prompt);
}

describe('an answer streaming in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-answer-'));
    await writeRandomModel(dir, 1, 'expected');
    opened = await openApp(randomModelEnv(dir));
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('draws the first draft before the answer, under one progress total', async () => {
    const { app, page, errors } = opened;
    await page.goto(`${app.url}&open=${encodeURIComponent(J2K)}`);
    await page.getByTestId('window-level').waitFor({ timeout: 30_000 });
    await expect.poll(() => page.getByTestId('segment-provider').textContent(), { timeout: 30_000 }).toBe('cpu');
    const prompt = page.getByRole('combobox', { name: 'Prompt' });
    await expect.poll(() => prompt.isEnabled(), { timeout: 15_000 }).toBe(true);

    await watchAnswer(page, PROMPT);
    await prompt.fill(PROMPT);
    await prompt.press('Enter');
    await page.getByTestId('segment-row').filter({ hasText: PROMPT }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('segment-message').textContent()).toMatch(/ passes, \d+ ms on cpu$/);

    const seen = await page.evaluate(() => (window as unknown as { seen: Seen }).seen);
    // One total, known from the start: every view and the lung gate's decode.
    expect(seen.totals).toEqual([GRID_TOKENS * (TEST_TIME_VIEWS.length + 1)]);
    // The first draft was over the image while tokens were still decoding, before the answer was listed.
    expect(seen.draftAt).toBeGreaterThan(0);
    expect(seen.draftAt).toBeLessThan(seen.totals[0] as number);
    expect(seen.answerBeforeDraft).toBe(false);
    expect(errors).toEqual([]);
  });

  it("toggles the answer's uncertainty over the image with its legend, and off again", async () => {
    const { page, errors } = opened;
    /** The overlay's summed opacity: the segment alone, or with the doubt drawn over it. */
    const opacity = () =>
      page.evaluate(() => {
        const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="mask-overlay"]')!;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let sum = 0;
        for (let i = 3; i < data.length; i += 4) sum += data[i] as number;
        return sum;
      });
    const toggle = page.getByTestId('uncertainty-toggle');
    const legend = page.getByTestId('uncertainty-legend');
    expect(await toggle.getAttribute('aria-pressed')).toBe('false');
    expect(await legend.count()).toBe(0);
    const without = await opacity();
    await toggle.click();
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(opacity).toBeGreaterThan(without);
    // While it is on, a legend says how to read it: a ramp from sure to unsure, and what it means.
    expect(await legend.isVisible()).toBe(true);
    const key = (await legend.textContent()) ?? '';
    expect(key).toMatch(/sure[\s\S]*unsure/);
    expect(key).toContain('doubts its last answer');
    expect(await legend.locator('.ramp').evaluate((e) => getComputedStyle(e).backgroundImage)).toContain('gradient');
    await toggle.click();
    await expect.poll(opacity).toBe(without);
    expect(await legend.count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('marks the answer "AI · edited" once painted by hand, and still after a reload', async () => {
    const { app, page, errors } = opened;
    const badge = () => page.getByTestId('segment-row').filter({ hasText: PROMPT }).getByTestId('segment-ai');
    expect(await badge().textContent()).toBe('AI');
    await page.getByTestId('tool-brush').click();
    const box = (await page.getByTestId('viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * 0.3);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.35, { steps: 3 });
    await page.mouse.up();
    await expect.poll(() => badge().textContent()).toBe('AI · edited');
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('All changes saved');

    await page.goto('about:blank');
    await page.goto(`${app.url}&open=${encodeURIComponent(J2K)}`);
    await badge().waitFor({ timeout: 30_000 });
    expect(await badge().textContent()).toBe('AI · edited');
    expect(errors).toEqual([]);
  });
});

// A prompt outside what the model covers, in Chromium at 1366x768 with a small random model that reports
// its confidence: the answer says in words what the model does not segment, and its segment row says
// "low confidence" in red, kept after a reload; a covered prompt's row shows its confidence.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../src/main/testing/shared-data';
import { writeRandomModel } from '../src/main/testing/tiny-model';
import { type OpenedApp, openApp, randomModelEnv, saved } from './harness';

const CR = sharedPath('dicom', 'chest-xray', 'RG1_J2KI.dcm');
const NOTICE =
  'the model does not segment pneumothorax: it covers lung infection, the lungs, and bone tumours of the limbs and pelvis';

/** Whether the element is drawn whole: inside the viewport and the panel, its text not cut off. */
function shownWhole(page: Page, element: Locator): Promise<boolean> {
  return element.evaluate((el, size) => {
    const box = el.getBoundingClientRect();
    const panel = el.closest('aside')?.getBoundingClientRect() ?? { left: 0, right: size.width };
    return (
      box.width > 0 &&
      box.left >= panel.left &&
      box.right <= panel.right &&
      box.bottom <= size.height &&
      el.scrollWidth <= el.clientWidth + 1
    );
  }, page.viewportSize()!);
}

async function ask(page: Page, prompt: string): Promise<Locator> {
  const box = page.getByRole('combobox', { name: 'Prompt' });
  await expect.poll(() => box.isEnabled(), { timeout: 30_000 }).toBe(true);
  await box.fill(prompt);
  await box.press('Enter');
  const row = page.getByTestId('segment-row').filter({ hasText: prompt });
  await row.waitFor({ timeout: 60_000 });
  return row;
}

describe('answers outside what the model covers, in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-scope-'));
    await writeRandomModel(dir, 1, 'expected');
    opened = await openApp(randomModelEnv(dir));
    await opened.page.setViewportSize({ width: 1366, height: 768 });
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says the model does not segment a pneumothorax and labels the row low confidence, kept after a reload', async () => {
    const { app, page, errors } = opened;
    await page.goto(`${app.url}&open=${encodeURIComponent(CR)}`);
    await page.getByTestId('window-level').waitFor({ timeout: 30_000 });

    const row = await ask(page, 'right pneumothorax');
    const message = page.getByTestId('segment-message');
    expect(await message.textContent()).toContain(NOTICE);
    expect(await message.isVisible()).toBe(true);
    const label = row.getByTestId('segment-confidence');
    const said = (await label.textContent()) ?? '';
    expect(said).toMatch(/^low confidence \(\d\.\d\d\)$/);
    expect(await label.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(255, 107, 107)');
    expect(await shownWhole(page, label)).toBe(true);
    // Not coded as a lung or anything else the prompt does not name.
    expect(await row.getByTestId('segment-coding').textContent()).toBe('not coded');

    // A covered prompt's row shows its confidence, red only when the answer was labelled low.
    const lung = await ask(page, 'left lung');
    const lungSaid = (await lung.getByTestId('segment-confidence').textContent()) ?? '';
    const value = Number(/(\d\.\d\d)/.exec(lungSaid)?.[1]);
    expect(lungSaid).toBe(value < 0.7 ? `low confidence (${value.toFixed(2)})` : `confidence ${value.toFixed(2)}`);
    expect((await message.textContent())?.includes('low confidence')).toBe(value < 0.7);

    await saved(page);
    await page.reload();
    await page.getByTestId('window-level').waitFor({ timeout: 30_000 });
    const reloaded = page.getByTestId('segment-row').filter({ hasText: 'right pneumothorax' });
    await reloaded.waitFor({ timeout: 30_000 });
    const again = reloaded.getByTestId('segment-confidence');
    expect(await again.textContent()).toBe(said);
    expect(await again.evaluate((el) => getComputedStyle(el).color)).toBe('rgb(255, 107, 107)');
    expect(await shownWhole(page, again)).toBe(true);
    const lungAgain = page.getByTestId('segment-row').filter({ hasText: 'left lung' });
    expect(await lungAgain.getByTestId('segment-confidence').textContent()).toBe(lungSaid);
    expect(errors).toEqual([]);
  });
});

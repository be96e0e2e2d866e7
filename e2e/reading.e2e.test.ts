// The reading under the prompt box in Chromium, against the real handlers (segment:read reads the prompt
// as the segmenter will): chest and bone wordings as radiologists write them show their terms, the words
// not understood are marked and select themselves in the box when clicked, bad input (empty, unknown
// words, another language, 10 000 characters and more) says so in words, the line wraps inside the
// viewer at 1366x768, and after an answer the line still reads the answer's prompt, whose segment is
// coded as the line said.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPath } from '../src/main/testing/shared-data';
import { writeRandomModel } from '../src/main/testing/tiny-model';
import { type OpenedApp, openApp, randomModelEnv } from './harness';

const DX = sharedPath('dicom', 'chest-xray', 'dx_image.dcm');

interface Shown {
  terms: string[];
  unread: string[];
  problem: string | null;
  coding: string | null;
}

/** Types `text` into the box and returns the reading line once it reads that text. */
async function readAs(page: Page, text: string): Promise<Shown> {
  await page.getByRole('combobox', { name: 'Prompt' }).fill(text);
  const line = page.getByRole('group', { name: 'Prompt reading' });
  await expect.poll(() => line.getAttribute('aria-busy'), { timeout: 10_000 }).toBe('false');
  const items = (list: Locator) => list.getByRole('listitem').allTextContents();
  const terms = line.getByRole('list', { name: 'Read as' });
  const unread = line.getByRole('list', { name: 'Not understood' });
  const problem = line.getByTestId('reading-problem');
  const coding = line.getByTestId('reading-coding');
  return {
    terms: (await terms.count()) ? await items(terms) : [],
    unread: (await unread.count()) ? await items(unread) : [],
    problem: (await problem.count()) ? await problem.textContent() : null,
    coding: (await coding.count()) ? await coding.textContent() : null,
  };
}

/** Whether the element lies inside the viewer column and shows all of its text. */
const insideViewer = (l: Locator) =>
  l.evaluate((e) => {
    const box = e.getBoundingClientRect();
    const viewer = (e.closest('.viewer') as HTMLElement).getBoundingClientRect();
    return (
      e.scrollWidth <= e.clientWidth &&
      box.left >= viewer.left - 0.5 &&
      box.right <= viewer.right + 0.5 &&
      box.bottom <= viewer.bottom + 0.5
    );
  });

describe('the reading under the prompt box in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;
  let page: Page;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-reading-'));
    await writeRandomModel(dir);
    opened = await openApp(randomModelEnv(dir));
    page = opened.page;
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.goto(`${opened.app.url}&open=${encodeURIComponent(DX)}`);
    await page.getByTestId('window-level').waitFor({ timeout: 30_000 });
    // The box is enabled once the image is shown to the editor.
    await page.locator('input[aria-label="Prompt"]:enabled').waitFor({ timeout: 15_000 });
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    ['left lung', ['left lung'], 'SEG: Lung · left'],
    ['both lungs', ['both lungs'], 'SEG: Lung · right and left'],
    ['RLL consolidation', ['consolidation', 'right lung', 'middle and lower zones'], 'SEG: Lung consolidation · right'],
    ['lung infection', ['infection', 'lungs'], 'SEG: Radiologic infiltrate of lung'],
    [
      'two infected areas in the left lung',
      ['infection', 'left lung', '2 areas'],
      'SEG: Radiologic infiltrate of lung · left',
    ],
    [
      'Bilateral pulmonary infection, two infected areas, lower left lung and lower right lung',
      ['infection', 'both lungs', 'lower zone', '2 areas'],
      'SEG: Radiologic infiltrate of lung · right and left',
    ],
    [
      'One benign osteochondroma lesion in the tibia of the lower limb (lateral view), located in the lower-left region.',
      ['osteochondroma', 'lower left of the film', '1 lesion'],
      'SEG: Neoplasm',
    ],
    ['no findings', ['no findings'], 'SEG: Tissue'],
  ])('“%s” reads as its terms, coded', async (prompt, terms, coding) => {
    const shown = await readAs(page, prompt);
    expect(shown).toEqual({ terms, unread: [], problem: null, coding });
  });

  it('an empty prompt and one of unknown words say so in words; nothing else breaks', async () => {
    expect((await readAs(page, '')).problem).toMatch(/^Type what to segment/);
    expect((await readAs(page, 'blorp zzz')).problem).toMatch(/^No word of this prompt was understood/);
    expect(opened.errors).toEqual([]);
  });

  it('10 000 characters are read and the line stays inside the viewer; more are refused in words', async () => {
    const long = 'left lung '.repeat(1000);
    expect(long.length).toBe(10_000);
    const shown = await readAs(page, long);
    expect(shown.terms).toEqual(['left lung']);
    expect(await insideViewer(page.getByRole('group', { name: 'Prompt reading' }))).toBe(true);
    expect(await page.getByRole('button', { name: 'Segment', exact: true }).isEnabled()).toBe(true);

    const over = await readAs(page, `${long}x`);
    expect(over.problem).toBe('The prompt is 10,001 characters; at most 10,000 are read: shorten it.');
    expect(await page.getByRole('button', { name: 'Segment', exact: true }).isEnabled()).toBe(false);
    expect(opened.errors).toEqual([]);
  });

  it("after the answer the line reads the answer's prompt, and the segment is coded as it said", async () => {
    const prompt = 'two infected areas in the left lung';
    const before = await readAs(page, prompt);
    await page.getByRole('combobox', { name: 'Prompt' }).press('Enter');
    const row = page.getByTestId('segment-row').filter({ hasText: prompt });
    await row.waitFor({ timeout: 60_000 });
    const after = await readAs(page, prompt);
    expect(after).toEqual(before);
    expect(`SEG: ${await row.getByTestId('segment-coding').textContent()}`).toBe(before.coding);
    expect(opened.errors).toEqual([]);
  });
});

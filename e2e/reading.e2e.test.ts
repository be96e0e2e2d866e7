// The reading under the prompt box in Chromium, against the real handlers (segment:read reads the prompt
// as the segmenter will): chest and bone wordings as radiologists write them show their terms, the words
// not understood are marked and select themselves in the box when clicked, basic words of five other
// languages read as English, bad input (empty, unknown words, a language the lexicon lacks, 10 000
// characters and more) says so in words, the line wraps inside the
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
    ['left lung', ['left lung']],
    ['both lungs', ['both lungs']],
    ['RLL consolidation', ['consolidation', 'right lung', 'middle and lower zones']],
    ['bilateral GGOs, lower zones', ['ground-glass opacity', 'both lungs', 'lower zone']],
    ['lung infection', ['pneumonia', 'lungs']],
    ['two infected areas in the left lung', ['infection', 'left lung', '2 areas']],
    [
      'Bilateral pulmonary infection, two infected areas, lower left lung and lower right lung',
      ['infection', 'both lungs', 'lower zone', '2 areas'],
    ],
    ['osteochondroma of the distal femur', ['osteochondroma', 'distal femur']],
    ['lytic lesion proximal tibia', ['lesion', 'proximal tibia', 'lytic']],
    ['GCT of the proximal tibia, metaphysis', ['giant cell tumor', 'proximal tibia', 'metaphysis']],
    [
      'One benign osteochondroma lesion in the tibia of the lower limb (lateral view), located in the lower-left region.',
      ['osteochondroma', 'tibia', 'benign', 'lower left of the film', '1 lesion', 'lateral view'],
    ],
    ['no findings', ['no findings']],
    ['bilateral infection', ['infection', 'both lungs']],
    ['infección pulmonar bilateral', ['infection', 'both lungs']],
    ['Lungenentzündung rechts', ['pneumonia', 'right lung']],
    ['pulmón izquierdo', ['left lung']],
    ['osteochondroma of the lateral malleolus', ['osteochondroma', 'distal fibula']],
    ['scapular lesion', ['lesion', 'shoulder joint']],
  ])('“%s” reads as its terms', async (prompt, terms) => {
    expect(await readAs(page, prompt)).toMatchObject({ terms, unread: [], problem: null });
  });

  it.each([
    ['left lung', 'SEG: Lung · left'],
    ['both lungs', 'SEG: Lung · right and left'],
    ['RLL consolidation', 'SEG: Lung consolidation · right'],
    ['two infected areas in the left lung', 'SEG: Radiologic infiltrate of lung · left'],
    ['infección pulmonar bilateral', 'SEG: Radiologic infiltrate of lung · right and left'],
    ['osteochondroma of the distal femur', 'SEG: Neoplasm'],
    ['no findings', 'SEG: Tissue'],
  ])('“%s” shows the coding its segment gets', async (prompt, coding) => {
    expect((await readAs(page, prompt)).coding).toBe(coding);
  });

  it('a word not understood is struck through, and a click selects it in the box to be retyped', async () => {
    const shown = await readAs(page, 'infection rigth lung');
    expect(shown).toMatchObject({ terms: ['infection', 'lungs'], unread: ['rigth'], problem: null });
    const word = page.getByRole('list', { name: 'Not understood' }).getByRole('button', { name: 'rigth' });
    expect(await word.evaluate((e) => getComputedStyle(e).textDecorationLine)).toBe('line-through');
    expect(await word.getAttribute('title')).toMatch(/^not understood/);
    await word.click();
    const box = page.getByRole('combobox', { name: 'Prompt' });
    expect(await box.evaluate((e: HTMLInputElement) => [e.selectionStart, e.selectionEnd])).toEqual([10, 15]);
    await page.keyboard.type('right');
    await expect.poll(() => box.inputValue()).toBe('infection right lung');
    await expect
      .poll(async () => (await readAs(page, 'infection right lung')).terms)
      .toEqual(['infection', 'right lung']);
    expect(opened.errors).toEqual([]);
  });

  it('a typo that changes what the prompt names offers the corrected prompt; a click puts it in the box', async () => {
    await readAs(page, 'rigth lung');
    const meant = page.getByTestId('reading-did-you-mean');
    expect(await meant.textContent()).toBe('Did you mean “right lung”?');
    await meant.click();
    const box = page.getByRole('combobox', { name: 'Prompt' });
    await expect.poll(() => box.inputValue()).toBe('right lung');
    await expect.poll(() => meant.count()).toBe(0);
    expect((await readAs(page, 'right lung')).terms).toEqual(['right lung']);
    await readAs(page, 'enlarged heart');
    expect(await page.getByTestId('reading-out-of-scope').textContent()).toMatch(
      /^the model does not segment the heart: it covers /,
    );
    expect(opened.errors).toEqual([]);
  });

  it('an empty prompt, one of unknown words and one in a language the lexicon lacks say so in words', async () => {
    expect(await readAs(page, '')).toMatchObject({
      terms: [],
      problem: expect.stringMatching(/^Type what to segment/),
    });
    const nothing = /^No word of this prompt was understood/;
    expect(await readAs(page, 'blorp zzz')).toMatchObject({
      unread: ['blorp', 'zzz'],
      problem: expect.stringMatching(nothing),
    });
    expect(await readAs(page, 'longontsteking beiderzijds')).toMatchObject({
      terms: [],
      unread: ['longontsteking', 'beiderzijds'],
      problem: expect.stringMatching(nothing),
      coding: null,
    });
    expect(opened.errors).toEqual([]);
  });

  it('10 000 characters are read and the line stays inside the viewer; more are refused in words', async () => {
    const long = `bilateral infection lower zones ${'foo bar baz '.repeat(900)}`.slice(0, 10_000);
    const shown = await readAs(page, long);
    expect(shown.terms).toEqual(['infection', 'both lungs', 'lower zone']);
    // The first twelve words not understood, then how many more.
    expect(shown.unread).toHaveLength(13);
    expect(shown.unread.slice(0, 3)).toEqual(['foo', 'bar', 'baz']);
    expect(shown.unread[12]).toMatch(/^and [\d,]+ more$/);
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

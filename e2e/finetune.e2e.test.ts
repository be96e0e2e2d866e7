// Fine-tuning end to end in Chromium against the real handlers, with a small random model (the served
// app's NEXTMASK_MODEL_DIR): open a radiograph, prompt, correct the answer with the brush (saved as it is made); open the
// Fine-tune panel, read what a round needs, untick one correction and run a round with the rest, watch its progress, the before/after Dice and the verdict, activate the new version,
// prompt again and see the version named on the answer; roll back to the shipped model. The workspace
// already holds seven corrected films (a round needs three held-out cases, two held back and two to train on).
// Then, with a fine-tuned version active: prompting during a long run is answered by that version, and
// cancelling the run leaves the versions as they were.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../src/main/finetune/job';
import { ModelVersions } from '../src/main/finetune/versions';
import { writeFineTuneWorkspace } from '../src/main/finetune/workspace.fixture';
import { fineTuneWorkspace } from '../src/main/finetune/workspace-run';
import { writeRandomModel } from '../src/main/testing/tiny-model';
import { holdBackSize, MIN_CASES, splitSizes } from '../src/shared/finetune-split';
import { type OpenedApp, openApp, randomModelEnv } from './harness';

async function prompt(page: Page, text: string, count: number): Promise<void> {
  const box = page.getByRole('combobox', { name: 'Prompt' });
  await expect.poll(() => box.isEnabled(), { timeout: 15_000 }).toBe(true);
  await box.fill(text);
  await box.press('Enter');
  await expect
    .poll(() => page.getByTestId('segment-row').filter({ hasText: text }).count(), { timeout: 60_000 })
    .toBe(count);
  // The row comes with the first draft; an edit before the final mask would be replaced by it.
  await expect
    .poll(() => page.getByRole('progressbar', { name: 'Segmentation progress' }).count(), { timeout: 60_000 })
    .toBe(0);
}

/** Records every text the progress line shows (a tiny model's steps come and go within a second). */
function watchProgress(page: Page): Promise<void> {
  return page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { progressSeen: string[] }).progressSeen = seen;
    new MutationObserver(() => {
      const text = document.querySelector('[data-testid="finetune-progress"]')?.textContent ?? '';
      if (text && seen.at(-1) !== text) seen.push(text);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

describe('fine-tuning in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-finetune-'));
    await writeRandomModel(dir);
    (await writeFineTuneWorkspace(join(dir, 'store'), MIN_CASES)).close();
    opened = await openApp(randomModelEnv(dir));
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('corrects an answer, fine-tunes, activates the new version, prompts with it and rolls back', async () => {
    const { app, page, errors } = opened;
    await page.goto(`${app.url}&open=${encodeURIComponent(join(dir, 'store', 'untouched.png'))}`);
    await page.getByTestId('segments').waitFor({ timeout: 30_000 });
    await prompt(page, 'left lung', 1);

    // Correct the answer with the brush: one correction more than a round needs.
    await page.getByTestId('segment-row').filter({ hasText: 'left lung' }).getByTestId('segment-name').click();
    await page.getByTestId('tool-brush').click();
    const box = (await page.getByTestId('viewport').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.4, box.y + box.height * 0.4);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * 0.6, { steps: 4 });
    await page.mouse.up();
    // Every change is saved as it happens.
    await expect.poll(() => page.getByTestId('save-state').textContent()).toBe('All changes saved');
    await page.getByTestId('finetune-toggle').click();
    const all = MIN_CASES + 1;
    await expect.poll(() => page.getByTestId('finetune-item').count(), { timeout: 30_000 }).toBe(all);
    await expect.poll(() => page.getByTestId('finetune-item').filter({ hasText: 'Dice' }).count()).toBe(all);
    // Before Start: what a round needs and how the ticked cases split, in main's own numbers.
    const plan = page.getByTestId('finetune-plan');
    const split = (cases: number) => {
      const { heldOut, train } = splitSizes(cases);
      return `Ticked: ${cases} cases: ${heldOut} held out, ${train} to train on (${holdBackSize(train)} of them held back to choose the epoch).`;
    };
    expect(await plan.textContent()).toContain(`at least ${MIN_CASES} corrected cases`);
    expect(await plan.textContent()).toContain(split(all));
    expect(await page.getByTestId('finetune-plan-warning').textContent()).toContain(
      'too few for the before/after to mean anything',
    );
    // Review: each correction is shown with its mask; unticking one leaves it out of the run.
    const items = page.getByTestId('finetune-item');
    expect(await items.getByTestId('finetune-item-mask').count()).toBe(all);
    const left = (await items.first().locator('.prompt').getAttribute('title')) as string;
    await items.first().getByTestId('finetune-use').uncheck();
    await expect.poll(() => plan.textContent()).toContain(split(MIN_CASES));
    // Too few ticked: Start waits, and the plan says how many more are needed.
    for (const i of [1, 2]) await items.nth(i).getByTestId('finetune-use').uncheck();
    await expect
      .poll(() => plan.textContent())
      .toContain(`Ticked: ${MIN_CASES - 2} cases; correct and save (or tick) 2 more.`);
    expect(await page.getByTestId('finetune-start').isEnabled()).toBe(false);
    for (const i of [1, 2]) await items.nth(i).getByTestId('finetune-use').check();
    expect(await page.getByTestId('finetune-start').textContent()).toBe(`Start (${MIN_CASES})`);
    await page.getByTestId('finetune-epochs').fill('2');
    await watchProgress(page);
    await page.getByTestId('finetune-start').click();
    await page.getByTestId('finetune-result').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('finetune-case').count()).toBe(3);
    // Each held-out case shows the answer before and after side by side, over the case's thumbnail, with the Dice.
    const pictures = await page.evaluate(() =>
      [...document.querySelectorAll('[data-testid="finetune-case"]')].map((row) => {
        const side = (which: 'before' | 'after') => {
          const canvas = row.querySelector(`[data-testid="finetune-${which}-mask"]`) as HTMLCanvasElement;
          const d = (canvas.getContext('2d') as CanvasRenderingContext2D).getImageData(
            0,
            0,
            canvas.width,
            canvas.height,
          ).data;
          let opaque = 0;
          let tinted = 0;
          let lit = 0;
          for (let i = 0; i < d.length; i += 4) {
            if (d[i + 3] === 255) opaque++;
            if (d[i] !== d[i + 1]) tinted++;
            else if ((d[i] as number) > 0) lit++;
          }
          const dice = row.querySelector(`[data-testid="finetune-${which}-dice"]`)?.textContent ?? '';
          return { pixels: canvas.width * canvas.height, opaque, tinted, lit, dice, title: canvas.title };
        };
        return [side('before'), side('after')];
      }),
    );
    for (const [before, after] of pictures) {
      for (const [side, name] of [
        [before!, 'before'],
        [after!, 'after'],
      ] as const) {
        expect(side.dice).toMatch(/^[01]\.\d{3}$/);
        expect(side.title).toBe(`${name}: Dice ${side.dice}`);
        // Drawn: every pixel painted, the thumbnail visible around the answer, the answer tinted whenever it overlaps.
        expect(side.opaque).toBe(side.pixels);
        if (side.tinted < side.pixels) expect(side.lit).toBeGreaterThan(0);
        if (Number(side.dice) > 0) expect(side.tinted).toBeGreaterThan(0);
      }
    }
    const seen = await page.evaluate(() => (window as unknown as { progressSeen: string[] }).progressSeen);
    // Progress was shown all along: scoring before, the held-back cases answered at every epoch, each
    // training step with its loss and ETA.
    expect(seen).toContain('Scoring the active model on held-out cases 3/3');
    expect(seen).toContain('Epoch 0: answering the held-back cases 2/2');
    expect(
      seen.filter((t) => /^Epoch \d\/2 · step \d+\/\d+ · loss [\d.]+ · ETA \d+ s$/.test(t)).length,
    ).toBeGreaterThan(0);
    expect(await page.getByTestId('finetune-message').textContent()).toMatch(
      /^Version (v1-[0-9a-f]{4}) is ready: held-out Dice [\d.]+ → [\d.]+$/,
    );
    const version = /Version (v1-[0-9a-f]{4})/.exec(
      (await page.getByTestId('finetune-message').textContent()) ?? '',
    )?.[1];
    // The run reached the job with the ticked corrections only.
    const info = await new ModelVersions(join(dir, 'store'), join(dir, 'model')).info(version as string);
    const used = [...info.cases.train, ...(info.cases.heldBack ?? []), ...info.cases.heldOut];
    expect(used).toHaveLength(MIN_CASES);
    // The verdict on the version against the shipped model, as the round wrote it; the new version's
    // answers are scored only when an epoch was chosen (chest prompts: no cut answers better than another).
    expect(await page.getByTestId('finetune-verdict').textContent()).toBe(info.metrics.verdict?.text);
    expect(info.metrics.verdict?.text).toMatch(
      /^(better by \d\.\d{3} on 3 held-out cases|no improvement: this version equals its parent)$/,
    );
    expect(seen.includes('Scoring the new version on held-out cases 3/3')).toBe(info.metrics.bestEpoch > 0);
    expect(used.filter((id) => id.startsWith(`${left}#`))).toEqual([]);
    expect(await page.getByTestId('finetune-result-warning').textContent()).toContain(
      `${info.cases.heldOut.length} held-out cases are too few`,
    );
    await page.getByTestId('finetune-activate').click();
    await expect.poll(() => page.getByTestId('versions').textContent()).toMatch(new RegExp(`${version}: .* active`));
    expect(await page.getByTestId('versions').textContent()).toContain(info.metrics.verdict?.text ?? '');
    // Once active, the result offers no Activate.
    expect(await page.getByTestId('finetune-activate').count()).toBe(0);

    // The next prompt is answered by the new version, without a restart.
    await page.getByTestId('finetune-toggle').click();
    await prompt(page, 'left lung', 2);
    await expect.poll(() => page.getByTestId('segmenter-status').textContent()).toContain(`model ${version}`);

    // Roll back: the shipped model answers again.
    await page.getByTestId('finetune-toggle').click();
    await page.getByTestId('version-rollback').click();
    await expect.poll(() => page.getByTestId('versions').textContent()).toMatch(/^\s*shipped model\s*active/);
    await expect.poll(() => page.getByTestId('segmenter-status').textContent()).toContain('model model');
    expect(errors).toEqual([]);
  }, 300_000);
});

describe('prompting while a fine-tuning run trains, in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;
  /** The fine-tuned version active before the run. */
  let active: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-finetune-busy-'));
    await writeRandomModel(dir);
    // 400 corrections: 80 held out, 80 held back, 240 train, so that even the fewest epochs a round runs
    // (the start and `patience` more, when no epoch answers the held-back cases better) far outlast a prompt.
    const workspace = await writeFineTuneWorkspace(join(dir, 'store'), 400);
    const versions = new ModelVersions(join(dir, 'store'), join(dir, 'model'));
    try {
      active = (await fineTuneWorkspace(workspace, versions, { settings: { ...DEFAULT_SETTINGS, epochs: 1 } })).id;
      await versions.activate(active);
    } finally {
      workspace.close();
    }
    opened = await openApp(randomModelEnv(dir));
  });
  afterAll(async () => {
    await opened?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a prompt with the active version during a run, then cancels the run and keeps that version', async () => {
    const { app, page, errors } = opened;
    const modelsDir = join(dir, 'store', 'models');
    const activeFile = readFileSync(join(modelsDir, 'active.json'), 'utf8');
    await page.goto(`${app.url}&open=${encodeURIComponent(join(dir, 'store', 'untouched.png'))}`);
    await page.getByTestId('segments').waitFor({ timeout: 30_000 });
    await page.getByTestId('finetune-toggle').click();
    await expect.poll(() => page.getByTestId('finetune-item').count(), { timeout: 60_000 }).toBe(400);
    await expect.poll(() => page.getByTestId('versions').textContent()).toMatch(new RegExp(`${active}: .* active`));
    const versionRows = await page.getByTestId('version-row').count();

    await page.getByTestId('finetune-epochs').fill('100');
    await page.getByTestId('finetune-start').click();
    const progress = page.getByTestId('finetune-progress');
    const trainingStep = async () =>
      Number(/^Epoch \d+\/100 · step (\d+)\//.exec((await progress.textContent()) ?? '')?.[1] ?? 0);
    await expect.poll(trainingStep, { timeout: 120_000 }).toBeGreaterThan(0);

    // The panel closes over the segments list; the run goes on behind it.
    await page.getByTestId('finetune-toggle').click();
    await prompt(page, 'left lung', 1);
    await expect.poll(() => page.getByTestId('segmenter-status').textContent()).toContain(`model ${active}`);
    // Still training after the answer: the run is going and its steps go on.
    await page.getByTestId('finetune-toggle').click();
    expect(await page.getByTestId('finetune-cancel').isEnabled()).toBe(true);
    const stepAnswered = await trainingStep();
    await expect.poll(trainingStep, { timeout: 60_000 }).toBeGreaterThan(stepAnswered);

    await page.getByTestId('finetune-cancel').click();
    await expect
      .poll(() => page.getByTestId('finetune-message').textContent(), { timeout: 60_000 })
      .toBe('Fine-tuning cancelled; nothing was changed');
    expect(await progress.count()).toBe(0);
    expect(await page.getByTestId('finetune-start').isEnabled()).toBe(true);
    await page.getByTestId('finetune-reload').click();
    await expect.poll(() => page.getByTestId('versions').textContent()).toMatch(new RegExp(`${active}: .* active`));
    expect(await page.getByTestId('version-row').count()).toBe(versionRows);
    expect(readFileSync(join(modelsDir, 'active.json'), 'utf8')).toBe(activeFile);
    expect(readdirSync(modelsDir).filter((name) => name.startsWith('.staging'))).toEqual([]);
    expect(errors).toEqual([]);
  }, 300_000);
});

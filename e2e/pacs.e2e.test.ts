// The PACS workflow in Chromium against the real handlers and a real Orthanc: connect (basic auth),
// test the connection, search by patient ID, retrieve the CT series into the viewer, prompt, and
// send the saved segment back as a DICOM SEG, then find it on the server.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, hasOrthanc, type Orthanc, startOrthanc } from '../src/main/testing/orthanc';
import { sharedPath } from '../src/main/testing/shared-data';
import { writeRandomModel } from '../src/main/testing/tiny-model';
import { type OpenedApp, openApp, type ServedApp } from './harness';

const CT_STUDY = '1.2.392.200103.20080913.113635.0.2009.6.22.21.43.10.22941.1';

describe.skipIf(!hasOrthanc() && !process.env.CI)('PACS in Chromium against Orthanc', () => {
  let dir: string;
  let orthanc: Orthanc;
  let opened: OpenedApp;
  let app: ServedApp;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-pacs-'));
    orthanc = await startOrthanc();
    const slices = (await filesUnder(sharedPath('dicom', 'ct-3slice-with-seg'))).filter((p) => /\/0\d\.dcm$/.test(p));
    expect(await orthanc.upload([...slices, ...(await filesUnder(sharedPath('dicom', 'mr-brain-series')))])).toBe(23);
    await writeRandomModel(dir);
    opened = await openApp({
      NEXTMASK_MODEL_DIR: join(dir, 'model'),
      NEXTMASK_EXECUTION_PROVIDER: 'cpu',
      NEXTMASK_WORKSPACE: join(dir, 'workspace'),
    });
    ({ app, page, errors } = opened);
  });
  afterAll(async () => {
    await opened?.close();
    await orthanc?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('connects, searches, retrieves, segments and sends the SEG back', async () => {
    await page.goto(app.url);
    await page.getByRole('button', { name: 'PACS' }).click();
    const panel = page.getByTestId('pacs-panel');
    await panel.getByLabel('Connection name').fill('orthanc');
    await panel.getByLabel('DICOMweb URL').fill(orthanc.dicomWeb);
    await panel.getByLabel('User').fill(orthanc.user);
    await panel.getByLabel('Secret').fill(orthanc.password);
    await panel.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => panel.getByTestId('pacs-note').textContent()).toBe('Saved orthanc');
    await panel.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => panel.getByTestId('pacs-note').textContent()).toMatch(/^orthanc: connected/);

    await panel.getByLabel('Patient ID').fill('99000');
    await panel.getByRole('button', { name: 'Search' }).click();
    const study = panel.getByTestId('pacs-study');
    await expect.poll(() => study.count()).toBe(1);
    expect(await study.textContent()).toContain('JANCT000');
    await study.click();
    const series = panel.getByTestId('pacs-series').filter({ hasText: 'CT' });
    await series.getByRole('button', { name: 'Retrieve' }).click();
    await expect
      .poll(() => panel.getByTestId('pacs-note').textContent(), { timeout: 30_000 })
      .toBe('Retrieved 3 instances');
    await page.getByTestId('window-level').waitFor({ timeout: 30_000 });

    // The drawer closes over the viewer; the prompt goes to the retrieved series like any other.
    await page.getByRole('button', { name: 'PACS' }).click();
    const prompt = page.getByRole('combobox', { name: 'Prompt' });
    await expect.poll(() => prompt.isEnabled(), { timeout: 15_000 }).toBe(true);
    await prompt.fill('liver');
    await prompt.press('Enter');
    await page.getByTestId('segment-row').filter({ hasText: 'liver' }).waitFor({ timeout: 60_000 });

    await page.getByRole('button', { name: 'PACS' }).click();
    await page.getByTestId('pacs-send').click();
    const sent = page.getByTestId('pacs-sent');
    await expect.poll(() => sent.textContent(), { timeout: 30_000 }).toMatch(/^stored [\d.]+$/);
    const sop = (await sent.textContent())?.replace('stored ', '').trim();

    // On the server: one SEG instance in the CT study, the one the panel says it stored.
    const auth = `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}`;
    const answer = await fetch(`${orthanc.dicomWeb}/studies/${CT_STUDY}/instances?Modality=SEG`, {
      headers: { Authorization: auth, Accept: 'application/dicom+json' },
    });
    const instances = (await answer.json()) as { '00080018': { Value: string[] } }[];
    expect(instances.map((i) => i['00080018'].Value[0])).toEqual([sop]);
    expect(errors).toEqual([]);
  });
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { META_CONTENT_SECURITY_POLICY } from '../src/shared/security';
import { launchBrowser, type ServedApp, serveApp, watchErrors } from './harness';

describe('app shell in Chromium', () => {
  let app: ServedApp;
  let browser: Browser;

  beforeAll(async () => {
    app = await serveApp();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('renders the shell and completes an IPC round trip with main', async () => {
    const page = await browser.newPage();
    const errors = watchErrors(page);
    await page.goto(app.url);
    await expect.poll(() => page.title()).toBe('NextMask');
    const info = page.getByTestId('app-info');
    await info.waitFor({ timeout: 15_000 });
    expect(await info.textContent()).toMatch(/^NextMask \d+\.\d+\.\d+ · http · linux$/);
    expect(await page.getByRole('main', { name: 'Viewer' }).isVisible()).toBe(true);
    const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content');
    expect(csp).toBe(META_CONTENT_SECURITY_POLICY);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows an error, not a blank page, when the token is wrong', async () => {
    const page = await browser.newPage();
    await page.goto(`${app.origin}/#token=wrong`);
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 15_000 });
    expect(await alert.textContent()).toContain('missing or wrong token');
    await page.close();
  });
});

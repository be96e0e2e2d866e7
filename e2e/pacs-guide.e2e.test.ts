// The PACS drawer with no connection yet, in Chromium against the real handlers: a short guide with an
// example URL, and Test connection on the form's values before anything is saved (a small DICOMweb
// stand-in answers the QIDO-RS query); after Save, Test still tries what the form holds, not what was saved.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTIONS_FILE } from '../src/main/pacs/connections';
import { type OpenedApp, openApp } from './harness';

const listen = (server: Server) =>
  new Promise<string>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );

describe('the PACS guide and testing a connection before saving it, in Chromium', () => {
  let dir: string;
  let opened: OpenedApp;
  let server: Server;
  let root: string;
  const asked: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'nextmask-e2e-pacs-guide-'));
    // Answers QIDO-RS study searches with no studies, as an empty server does.
    server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'application/dicom+json' }).end('[]');
    });
    root = `${await listen(server)}/dicom-web`;
    opened = await openApp({ NEXTMASK_WORKSPACE: join(dir, 'workspace') });
  });
  afterAll(async () => {
    await opened?.close();
    await new Promise((resolve) => server?.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('guides the first connection, tests the typed values unsaved, and after Save tests the form, not the saved one', async () => {
    const { app, page, errors } = opened;
    await page.goto(app.url);
    await page.getByRole('button', { name: 'PACS' }).click();
    const panel = page.getByTestId('pacs-panel');
    const guide = panel.getByTestId('pacs-guide');
    await guide.waitFor();
    expect(await guide.textContent()).toContain('http://localhost:8042/dicom-web');
    expect(await panel.getByLabel('DICOMweb URL').getAttribute('placeholder')).toBe('http://localhost:8042/dicom-web');

    const test = panel.getByRole('button', { name: 'Test connection' });
    expect(await test.isEnabled()).toBe(false); // nothing to test yet
    await panel.getByLabel('Connection name').fill('local');
    await panel.getByLabel('DICOMweb URL').fill('localhost:8042');
    await test.click();
    await expect
      .poll(() => panel.getByTestId('pacs-error').textContent())
      .toMatch(/^the DICOMweb URL must start with http:\/\/ or https:\/\//);

    await panel.getByLabel('DICOMweb URL').fill(root);
    await panel.getByLabel('Authentication').selectOption('none');
    await test.click();
    await expect.poll(() => panel.getByTestId('pacs-note').textContent()).toMatch(/^local: connected/);
    expect(asked).toEqual(['/dicom-web/studies?limit=1']);
    // Nothing was saved by testing.
    expect(existsSync(join(dir, 'workspace', CONNECTIONS_FILE))).toBe(false);
    expect(await panel.getByLabel('Saved connection').count()).toBe(0);

    await panel.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => panel.getByTestId('pacs-note').textContent()).toBe('Saved local');
    expect(await guide.count()).toBe(0);
    // The form now points where nothing listens: Test tries that, not the saved root.
    const gone = createServer();
    const dead = await listen(gone);
    await new Promise((resolve) => gone.close(resolve));
    await panel.getByLabel('DICOMweb URL').fill(`${dead}/dicom-web`);
    await test.click();
    await expect
      .poll(() => panel.getByTestId('pacs-error').textContent())
      .toBe('local: test: connection refused (is the server running?)');
    expect(asked).toHaveLength(1);
    expect(errors).toEqual([]);
  });
});

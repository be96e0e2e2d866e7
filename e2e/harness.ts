// Starts `nextmask serve` (the real handler table over loopback HTTP) and Debian's
// Chromium via playwright-core, for end-to-end tests of the built renderer.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export interface ServedApp {
  url: string;
  origin: string;
  token: string;
  /** Stops the server: SIGTERM (a quit) unless told otherwise, e.g. SIGKILL for a crash. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `nextmask serve`; its process gets `env` on top of this one's (model folder, workspace, …). */
export async function serveApp(extraArgs: string[] = [], env: Record<string, string> = {}): Promise<ServedApp> {
  const child: ChildProcess = spawn(process.execPath, ['bin/nextmask.js', 'serve', '--json', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`nextmask serve exited with ${code}; is the app built?`)));
  });
  const { url, origin, token } = JSON.parse(firstLine) as { url: string; origin: string; token: string };
  return {
    url,
    origin,
    token,
    stop: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill(signal);
      }),
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Collects console errors and page errors, so a test can assert the page ran cleanly. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  return errors;
}

export interface OpenedApp {
  app: ServedApp;
  page: Page;
  /** Console and page errors seen so far (see watchErrors). */
  errors: string[];
  close(): Promise<void>;
}

/** The served app's settings for a model folder written by writeRandomModel into `dir`: that model, the CPU, a workspace in `dir`. */
export function randomModelEnv(dir: string): Record<string, string> {
  return {
    NEXTMASK_MODEL_DIR: join(dir, 'model'),
    NEXTMASK_EXECUTION_PROVIDER: 'cpu',
    NEXTMASK_WORKSPACE: join(dir, 'store'),
  };
}

/** Serves the app with `env`, launches Chromium and opens one 1280x800 page, watched for errors. */
export async function openApp(env: Record<string, string> = {}): Promise<OpenedApp> {
  const app = await serveApp([], env);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  return {
    app,
    page,
    errors: watchErrors(page),
    async close() {
      await browser.close();
      await app.stop();
    },
  };
}

/**
 * Pixels the mask overlay canvas shows: any drawn (alpha > 0), or with `rgb` only fully opaque ones of
 * that colour (the box and click markers are drawn opaque, segments at their opacity).
 */
export function overlayPixels(page: Page, rgb?: [number, number, number]): Promise<number> {
  return page.evaluate((colour) => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="mask-overlay"]');
    if (!canvas || canvas.width === 0) return 0;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (!colour) n += (data[i + 3] as number) > 0 ? 1 : 0;
      else if (data[i] === colour[0] && data[i + 1] === colour[1] && data[i + 2] === colour[2] && data[i + 3] === 255)
        n++;
    }
    return n;
  }, rgb ?? null);
}

/** Waits until the panel says every change is saved. */
export async function saved(page: Page): Promise<void> {
  await expect.poll(() => page.getByTestId('save-state').textContent(), { timeout: 15_000 }).toBe('All changes saved');
}

/** A new segment with one brush stroke across the viewport at a fraction `y` of its height. */
export async function paintedSegment(page: Page, y: number): Promise<void> {
  await page.getByRole('button', { name: 'Add segment' }).click();
  await page.getByTestId('tool-brush').click();
  const box = (await page.getByTestId('viewport').boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height * y);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height * y, { steps: 4 });
  await page.mouse.up();
}

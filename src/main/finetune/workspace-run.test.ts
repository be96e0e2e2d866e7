import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { gpuProviders } from '../engine/execution-provider';
import { writeRandomModel } from '../testing/tiny-model';
import { DEFAULT_SETTINGS } from './job';
import { FineTuneService } from './service';
import { ModelVersions } from './versions';
import { writeFineTuneWorkspace } from './workspace.fixture';
import { fineTuneWorkspace } from './workspace-run';

const root = mkdtempSync(join(tmpdir(), 'nextmask-ftprovider-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const settings = { ...DEFAULT_SETTINGS, epochs: 1, batch: 2 };

async function setup() {
  await writeRandomModel(join(root, 'tiny'));
  const wsDir = join(root, 'ws');
  const workspace = await writeFineTuneWorkspace(wsDir, 8);
  return { workspace, versions: new ModelVersions(wsDir, join(root, 'tiny', 'model')) };
}
const ready = setup();
afterAll(async () => (await ready).workspace.close());

describe("a workspace round trains on the app's execution provider", () => {
  it("'auto' tries the platform's GPU providers, trains on the CPU here, and records and logs why", async () => {
    const { workspace, versions } = await ready;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const info = await fineTuneWorkspace(workspace, versions, { settings, executionProvider: 'auto' });
      // This machine has no CUDA libraries and no GPU adapter for WebGPU (as the segmenter's test says).
      expect(gpuProviders()).toEqual(['cuda', 'webgpu']);
      expect(info.provider).toEqual({
        requested: 'auto',
        name: 'cpu',
        fallbackReason: expect.stringMatching(/^cuda unavailable: .*; webgpu unavailable: /s),
      });
      expect((await versions.info(info.id)).provider).toEqual(info.provider);
      expect(warn).toHaveBeenCalledWith(`fine-tuning: trained on cpu: ${info.provider.fallbackReason}`);
    } finally {
      warn.mockRestore();
    }
  }, 120_000);

  it("an explicit provider (the panel's, through the service) is tried alone, and an explicit CPU is used as is", async () => {
    const { workspace, versions } = await ready;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const service = new FineTuneService(
        () => workspace,
        versions,
        () => {},
        () => {},
        'webgpu',
      );
      const { epochs, lr, guard } = settings;
      const include = (await service.set()).items.map((i) => i.id);
      const run = await service.run({ epochs, lr, guard, include });
      const webgpu = await versions.info(run.id);
      expect(webgpu.provider).toEqual({
        requested: 'webgpu',
        name: 'cpu',
        fallbackReason: expect.stringMatching(/^webgpu unavailable: /),
      });
      expect(webgpu.provider.fallbackReason).not.toMatch(/cuda/);
      warn.mockClear();
      const cpu = await fineTuneWorkspace(workspace, versions, { settings, executionProvider: 'cpu' });
      expect(cpu.provider).toEqual({ requested: 'cpu', name: 'cpu' });
      expect(warn).not.toHaveBeenCalled();
    } finally {
      warn.mockRestore();
    }
  }, 120_000);
});

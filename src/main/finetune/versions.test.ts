import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyManifest } from '../model-files/manifest';
import { Workspace } from '../store/workspace';
import { REPO_ROOT } from '../testing/shared-data';
import { writeRandomModel } from '../testing/tiny-model';
import { modelWeights } from '../training/model-weights';
import { DEFAULT_SETTINGS } from './job';
import { versionSummary } from './service';
import { BASE, ModelVersions, VERSION_FILES, type WriteFile } from './versions';
import { writeFineTuneWorkspace } from './workspace.fixture';
import { fineTuneWorkspace } from './workspace-run';

const root = mkdtempSync(join(tmpdir(), 'nextmask-versions-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const settings = { ...DEFAULT_SETTINGS, epochs: 1, batch: 2, lr: 3e-3 };
const baseDir = join(root, 'tiny', 'model');
const wsDir = join(root, 'ws');

async function setup() {
  await writeRandomModel(join(root, 'tiny'));
  const workspace = await writeFineTuneWorkspace(wsDir, 8);
  const versions = new ModelVersions(wsDir, baseDir);
  const first = await fineTuneWorkspace(workspace, versions, { settings });
  return { workspace, versions, first };
}
const ready = setup();

/** `nextmask finetune` on the test workspace from sources, in a child process (`wrap`: a command in front). */
function finetuneCommand(args: string[], wrap: string[] = []) {
  const argv = [
    process.execPath,
    '--import',
    'tsx',
    join(REPO_ROOT, 'src/cli/nextmask.ts'),
    'finetune',
    '--workspace',
    wsDir,
    '--model',
    baseDir,
    '--batch',
    '2',
    ...args,
  ];
  const [command, ...rest] = [...wrap, ...argv] as [string, ...string[]];
  return spawn(command, rest, { stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Every file of the workspace but its versions, with its sha256: what a failed run must leave as it was
 * (but SQLite's shared-memory index, which any reader rewrites).
 */
async function workspaceFiles(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of (await readdir(wsDir)).filter((n) => n !== 'models' && !n.endsWith('-shm')).sort()) {
    out[name] = createHash('sha256')
      .update(await readFile(join(wsDir, name)))
      .digest('hex');
  }
  return out;
}

/** What a run may change in the versions folder: the active choice, the versions, staging folders. */
async function versionsState(versions: ModelVersions) {
  return {
    active: existsSync(join(versions.dir, 'active.json')) ? await readFile(join(versions.dir, 'active.json')) : null,
    versions: (await versions.list()).map((v) => v.id),
    staging: (await readdir(versions.dir)).filter((n) => n.startsWith('.staging-')),
  };
}

/** version.json as rounds wrote it before they held cases back and judged themselves. */
function oldVersionJson(id: string) {
  return {
    format: 'nextmask-model-version',
    id,
    parent: BASE,
    createdAt: '2026-11-30T10:00:00.000Z',
    cases: { train: ['a:1', 'b:1', 'c:1'], heldOut: ['d:1', 'e:1'] },
    settings: { ...DEFAULT_SETTINGS, epochs: 1 },
    provider: { requested: 'cpu', used: 'cpu' },
    metrics: {
      before: 0.25,
      after: 0.3,
      cases: [],
      epochs: [
        { epoch: 0, trainLoss: null, heldOutLoss: 1.5, seconds: 0 },
        { epoch: 1, trainLoss: 1.2, heldOutLoss: 1.4, seconds: 3 },
      ],
      bestEpoch: 1,
      seconds: 3,
    },
  };
}

describe('versions written before the verdict', () => {
  it('list, sum up for the panel and print in `versions list` without a verdict or held-back cases', async () => {
    const ws = mkdtempSync(join(root, 'old-ws-'));
    const id = 'v1-0ld0';
    const versions = new ModelVersions(ws, baseDir);
    await mkdir(join(versions.dir, id), { recursive: true });
    await writeFile(join(versions.dir, id, VERSION_FILES.info), JSON.stringify(oldVersionJson(id)));
    const [info] = await versions.list();
    expect(info?.id).toBe(id);
    const summary = versionSummary(info!);
    expect(summary).toMatchObject({ id, before: 0.25, after: 0.3, trainCases: 3, heldOutCases: 2 });
    expect(summary.verdict).toBeNull();
    expect(summary.heldBackCases).toBe(0);
    expect(summary.epochs.map((e) => e.decodedDice)).toEqual([null, null]);

    const out = execFileSync(
      process.execPath,
      [
        '--import',
        'tsx',
        join(REPO_ROOT, 'src/cli/nextmask.ts'),
        'versions',
        'list',
        '--workspace',
        ws,
        '--model',
        baseDir,
      ],
      { encoding: 'utf8' },
    );
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual([
      expect.objectContaining({ id, diceBefore: 0.25, diceAfter: 0.3, heldBackCases: 0, verdict: null, active: false }),
      { active: BASE },
    ]);
  }, 60_000);
});

describe('model versions', () => {
  it('keeps a round as a version beside the workspace, activates it and rolls back to the base', async () => {
    const { versions, first, workspace } = await ready;
    expect(first.parent).toBe(BASE);
    expect(first.cases.heldOut).toHaveLength(3);
    expect(first.cases.heldBack).toHaveLength(2);
    expect(first.cases.train).toHaveLength(3);
    expect(first.metrics.epochs.map((e) => e.epoch)).toEqual([0, 1]);
    expect(first.metrics.verdict?.text).toMatch(
      /^(better by 0\.\d{3} on 3 held-out cases|no improvement: this version equals its parent)$/,
    );
    expect((await versions.list()).map((v) => v.id)).toEqual([first.id]);
    // Not active until the clinician says so; the shipped folder is never written.
    expect(await versions.active()).toBe(BASE);
    expect(await readdir(baseDir)).not.toContain(VERSION_FILES.info);
    const dir = versions.modelDir(first.id);
    await verifyManifest(dir);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')).sha256;
    expect(Object.keys(manifest)).toEqual(
      expect.arrayContaining(['prefill.onnx', 'decode.onnx', VERSION_FILES.info, VERSION_FILES.het]),
    );
    await versions.activate(first.id);
    expect(await versions.activeDir()).toBe(dir);
    // The next round starts from the active version and continues its HET memory: the memory of the
    // items it trained on when it is better, else its parent's as it was.
    const second = await fineTuneWorkspace(workspace, versions, { settings });
    expect(second.parent).toBe(first.id);
    expect(second.cases.train).toEqual(first.cases.train);
    const het = await versions.hetMemory(second.id);
    if (second.metrics.verdict?.better) expect(Object.keys(het ?? {}).sort()).toEqual([...second.cases.train].sort());
    else expect(het).toEqual(await versions.hetMemory(first.id));
    expect(await versions.active()).toBe(first.id);
    await versions.activate(BASE);
    expect(await versions.activeDir()).toBe(baseDir);
    await versions.activate(first.id);
  }, 120_000);

  it('exports and imports a version as one file, refusing damaged, foreign and tampered ones', async () => {
    const { versions, first } = await ready;
    const file = join(root, 'v.nmversion');
    await versions.exportFile(first.id, file);
    const elsewhere = new ModelVersions(join(root, 'other-ws'), baseDir);
    const imported = await elsewhere.importFile(file);
    expect(imported).toEqual(first);
    const [a, b] = await Promise.all([
      modelWeights(versions.modelDir(first.id)),
      modelWeights(elsewhere.modelDir(first.id)),
    ]);
    expect(b.params).toEqual(a.params);
    await expect(elsewhere.importFile(file)).rejects.toThrow(`version "${first.id}" is already in this workspace`);

    const bytes = await readFile(file);
    const fresh = () => new ModelVersions(mkdtempSync(join(root, 'ws-')), baseDir);
    const flipped = Buffer.from(bytes);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 100) ^ 0xff, flipped.length - 100);
    await writeFile(join(root, 'flipped'), flipped);
    const target = fresh();
    await expect(target.importFile(join(root, 'flipped'))).rejects.toThrow(/is damaged/);
    expect(await target.list()).toEqual([]);
    await writeFile(join(root, 'short'), bytes.subarray(0, bytes.length - 10));
    await expect(fresh().importFile(join(root, 'short'))).rejects.toThrow(/truncated/);
    await writeFile(join(root, 'foreign'), 'PK\u0003\u0004 a zip file');
    await expect(fresh().importFile(join(root, 'foreign'))).rejects.toThrow(
      /not a NextMask model version file: wrong magic/,
    );

    // A version whose files no longer match its manifest is neither activated nor exported.
    const victim = fresh();
    await victim.importFile(file);
    await writeFile(join(victim.modelDir(first.id), 'decode.onnx'), 'tampered');
    await expect(victim.activate(first.id)).rejects.toThrow(/decode.onnx does not match its sha256/);
    expect(await victim.active()).toBe(BASE);
  }, 60_000);

  it('refuses a pipe named as a version file at once, instead of waiting on it', async () => {
    const fifo = join(root, 'version-fifo');
    execFileSync('mkfifo', [fifo]);
    const versions = new ModelVersions(mkdtempSync(join(root, 'ws-')), baseDir);
    await expect(versions.importFile(fifo)).rejects.toThrow(/a pipe \(FIFO\), not a file that can be opened/);
  });

  it('a run killed with SIGKILL leaves the active version, the versions and the workspace as they were', async () => {
    const { versions, workspace } = await ready;
    const active = await versions.active();
    const before = (await versions.list()).map((v) => v.id);
    const corrections = workspace.listCorrections().length;
    const child = finetuneCommand(['--epochs', '50', '--activate']);
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stderr! }).on('line', (line) => {
        // Killed mid-training, with the staging folder written to.
        if (line.startsWith('step ')) resolve();
      });
      child.once('exit', () => reject(new Error('the run ended before training')));
    });
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    expect(await versions.active()).toBe(active);
    expect((await versions.list()).map((v) => v.id)).toEqual(before);
    const reopened = new Workspace(wsDir);
    expect(reopened.listCorrections()).toHaveLength(corrections);
    reopened.close();
    // The next run clears what the killed one left.
    const staging = await versions.stage();
    expect((await readdir(versions.dir)).filter((n) => n.startsWith('.staging-'))).toEqual([staging.split('/').pop()]);
    await versions.discard(staging);
    expect(existsSync(staging)).toBe(false);
  }, 120_000);
  it('a disk that fills up part-way through writing a version: said in words, nothing changed, staging removed', async () => {
    const { workspace } = await ready;
    const shown = await versionsState(new ModelVersions(wsDir, baseDir));
    const files = await workspaceFiles();
    const written: string[] = [];
    // The manifest, the last file of a version, gets half its bytes on disk, then the disk is full.
    const fillsUp: WriteFile = async (path, bytes) => {
      written.push(path.split('/').pop() as string);
      if (!path.endsWith('manifest.json')) return writeFile(path, bytes);
      await writeFile(path, bytes.slice(0, bytes.length >> 1));
      throw Object.assign(new Error(`ENOSPC: no space left on device, write`), { code: 'ENOSPC' });
    };
    const full = new ModelVersions(wsDir, baseDir, fillsUp);
    await expect(fineTuneWorkspace(workspace, full, { settings })).rejects.toThrow(
      new RegExp(
        `^not enough room on the disk \\(ENOSPC\\): the new version could not be written to ${full.dir}; nothing was changed and the active model is still ${await full.active()}; free some space and try again$`,
      ),
    );
    expect(written).toEqual([VERSION_FILES.info, VERSION_FILES.het, 'manifest.json']);
    expect(await versionsState(full)).toEqual(shown);
    expect(await workspaceFiles()).toEqual(files);
  }, 60_000);

  it('the command line under a file size limit: a message, exit code 1, nothing changed', async () => {
    const shown = await versionsState(new ModelVersions(wsDir, baseDir));
    const files = await workspaceFiles();
    // The kernel refuses the write of the largest model graph part-way (EFBIG), as a full disk would
    // (ENOSPC). The limit must stay above the workspace's 32 KiB SQLite index (sparse, so a full disk
    // does not refuse it, a size limit does) and every smaller file the run writes.
    const sizes = await Promise.all((await readdir(baseDir)).map(async (n) => (await stat(join(baseDir, n))).size));
    const limit = Math.max(...sizes) - 1;
    expect(limit, 'the largest graph of the tiny model must exceed the SQLite index').toBeGreaterThan(32_768);
    const child = finetuneCommand(['--epochs', '1'], ['prlimit', `--fsize=${limit}`, '--']);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    expect(stderr.trim().split('\n').at(-1)).toMatch(
      /^nextmask finetune: not enough room on the disk \(EFBIG\): the new version could not be written to .*; nothing was changed and the active model is still [\w-]+; free some space and try again$/,
    );
    expect(code).toBe(1);
    expect(await versionsState(new ModelVersions(wsDir, baseDir))).toEqual(shown);
    expect(await workspaceFiles()).toEqual(files);
  }, 120_000);
});

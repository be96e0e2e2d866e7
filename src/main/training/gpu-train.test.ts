// The GPU training path end to end on the CPU, with a tiny model: `nextmask tokens` dumps → readTokenDump,
// tools/gpu-train/init.ts → train.py (two steps, HET, val, checkpoint parts) → parity.py (PyTorch's losses
// equal the TypeScript graph's under the trained weights) → `nextmask export` → a model folder that loads.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GRID_TOKENS } from '../../shared/tokens';
import type { SampleSource } from '../data/samples';
import { layoutOf } from '../model/config';
import { loadModel } from '../segmenter/runtime/model-files';
import { architectureOf, loadTokenizers } from '../segmenter/runtime/tokenizer-set';
import { REPO_ROOT, sharedPath } from '../testing/shared-data';
import { writeTinyTokenizers } from '../testing/tiny-model';
import { dumpPlan, dumpTokens, readTokenDump } from './token-dump';
import { parseTrainConfig, type TrainConfig } from './train-config';
import { trainingSources } from './train-loop';

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

/** A python3 that has PyTorch: CI installs Debian's python3-torch; elsewhere the test says it skipped. */
function torchPython(): string | null {
  for (const py of [process.env.NEXTMASK_PYTHON, '/usr/bin/python3', 'python3']) {
    if (py && spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return py;
  }
  return null;
}

describe('token dumps', () => {
  it('plans variants × groupRepeat draws per source and splits them into disjoint shards', () => {
    const sources: SampleSource[] = [
      { group: 'lung', id: 'a', imagePath: 'a.png', maskPath: 'a-mask.png', target: 'left' },
      { group: 'btxrd', id: 'b', imagePath: 'b.png', maskPath: 'b-mask.png', description: 'b' },
    ];
    const all = dumpPlan(sources, { variants: 2, seed: 1, groupRepeat: { btxrd: 3 } });
    expect(all.map((p) => p.source)).toEqual([0, 0, 1, 1, 1, 1, 1, 1]);
    expect(new Set(all.map((p) => p.seed)).size).toBe(8);
    const shards = [0, 1, 2].map((index) => dumpPlan(sources, { variants: 2, seed: 1, shard: { index, count: 3 } }));
    expect(shards.flat().length).toBe(4);
    expect(() => dumpPlan(sources, { variants: 0, seed: 1 })).toThrow(/variants/);
    expect(() => dumpPlan(sources, { variants: 1, seed: 1, shard: { index: 2, count: 2 } })).toThrow(/shard/);
    expect(() => dumpPlan(sources, { variants: Number.NaN, seed: 1 })).toThrow(/variants/);
  });
});

/** configs/tiny.json made smaller still, with tiny tokenizers, in a fresh folder. */
async function tinyRun(
  prefix: string,
  architecture: Partial<TrainConfig['architecture']>,
  train: Partial<TrainConfig['train']>,
): Promise<{ dir: string; cfg: TrainConfig }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  const cfg = parseTrainConfig(await readFile(join(REPO_ROOT, 'configs/tiny.json'), 'utf8'));
  cfg.data = sharedPath('data');
  cfg.tokenizers = join(dir, 'tokenizers');
  cfg.out = join(dir, 'run');
  cfg.architecture = { ...cfg.architecture, width: 32, heads: 2, layers: 1, maxText: 24, ...architecture };
  cfg.train = { ...cfg.train, ...train };
  cfg.losses.het.top = 4;
  await writeTinyTokenizers(cfg.tokenizers);
  return { dir, cfg };
}

describe('GPU trainer (tools/gpu-train) on the CPU', () => {
  it('dumps tokens, trains two steps from an init file, matches the TypeScript losses, exports a model', async () => {
    const { dir, cfg } = await tinyRun('nextmask-gpu-train-', {}, { maxSamples: 3 });
    const configPath = join(dir, 'config.json');
    await writeFile(configPath, JSON.stringify(cfg));

    const tokenizers = await loadTokenizers(cfg.tokenizers);
    const layout = layoutOf(architectureOf(cfg.architecture, tokenizers));
    const sources = await trainingSources(cfg);
    const dumpPath = join(dir, 'train.nmtok');
    const written = await dumpTokens(dumpPath, sources, tokenizers, layout, { variants: 2, seed: 1 });
    const dump = await readTokenDump(dumpPath);
    expect(dump.header).toEqual(written);
    expect(dump.header.records).toBe(6);
    expect(Array.from(dump.sample)).toEqual([0, 0, 1, 1, 2, 2]);
    expect(dump.image.length).toBe(6 * GRID_TOKENS * layout.imageLevels);
    expect(Math.min(...dump.image)).toBeGreaterThanOrEqual(layout.imageOffset);
    expect(Math.max(...dump.image)).toBeLessThan(layout.textOffset);
    expect(Math.max(...dump.mask)).toBeLessThan(layout.maskCodes);
    expect(Math.min(...dump.text)).toBeGreaterThanOrEqual(layout.textOffset);
    await expect(
      dumpTokens(join(dir, 'never.nmtok'), sources, tokenizers, layout, { variants: 1, seed: 1, concurrency: 0 }),
    ).rejects.toThrow(/concurrency/);
    // A truncated file is refused, not read short.
    const bytes = await readFile(dumpPath);
    const { gunzipSync, gzipSync } = await import('node:zlib');
    await writeFile(join(dir, 'short.nmtok'), gzipSync(gunzipSync(bytes).subarray(0, -10)));
    await expect(readTokenDump(join(dir, 'short.nmtok'))).rejects.toThrow(/truncated/);

    // A second dump of another list (the last two sources): the trainer merges sample lists by id.
    const otherPath = join(dir, 'other.nmtok');
    await dumpTokens(otherPath, sources.slice(1), tokenizers, layout, { variants: 1, seed: 2 });
    await tokenizers.imageEncoder.release();

    const python = torchPython();
    if (!python) {
      if (process.env.CI) throw new Error('CI needs python3 with PyTorch (apt python3-torch; .ci/run installs it)');
      console.warn('skipped the PyTorch half: no python3 with torch here (apt-get install python3-torch)');
      return;
    }
    const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8' });
    const init = join(dir, 'init.ckpt');
    run('npx', ['tsx', 'tools/gpu-train/init.ts', '--config', configPath, '--out', init]);
    // Training reads an .xz recompression (what goes to the GPU machine), val the gzip file as written.
    const xzPath = `${dumpPath}.xz`;
    const recompress = 'import gzip, lzma, sys; lzma.open(sys.argv[2], "wb").write(gzip.open(sys.argv[1]).read())';
    run(python, ['-c', recompress, dumpPath, xzPath]);
    const out = join(dir, 'gpu-run');
    const trainArgs = ['--init', init, '--data', xzPath, otherPath, '--val', dumpPath, '--out', out, '--seconds', '60'];
    const extra = ['--batch', '2', '--max-steps', '2', '--eval-every', '1', '--keep-best', '--split-mb', '0.05'];
    const summary = JSON.parse(
      run(python, [
        'tools/gpu-train/train.py',
        '--codebook',
        join(cfg.tokenizers, 'mask-codebook.bin'),
        ...trainArgs,
        ...extra,
      ])
        .trim()
        .split('\n')
        .at(-1) as string,
    );
    expect(summary.steps).toBe(2);
    expect(Number.isFinite(summary.bestValCe)).toBe(true);
    const log = (await readFile(join(out, 'train.log.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(log.filter((e) => e.type === 'valTokens').map((e) => e.step)).toEqual([1, 2]);
    expect(log.find((e) => e.type === 'start')).toMatchObject({ samples: 8, sources: 3 });
    // Checkpoints come back in parts (the GPU machine's per-file limit); joined, they are one checkpoint.
    const parts = (await readdir(out)).filter((f) => f.startsWith('checkpoint.ckpt.')).sort();
    expect(parts.length).toBeGreaterThan(1);
    const joined = Buffer.concat(await Promise.all(parts.map((p) => readFile(join(out, p)))));
    await writeFile(join(out, 'checkpoint.ckpt'), joined);

    const parity = run(python, ['tools/gpu-train/parity.py', join(out, 'checkpoint.ckpt'), dumpPath, '--count', '3']);
    expect(parity).toMatch(/parity ok/);

    const modelDir = join(dir, 'model');
    run('npx', ['tsx', 'src/cli/nextmask.ts', 'export', out, '--out', modelDir]);
    // model.json names the run's files, not the folders they lay in on the training machine.
    const exported = JSON.parse(await readFile(join(modelDir, 'model.json'), 'utf8'));
    expect(exported.training.config).toMatchObject({
      out: 'gpu-run',
      train: { gpu: { init: 'init.ckpt', data: [basename(xzPath), basename(otherPath)] } },
    });
    const model = await loadModel(modelDir, 1);
    expect(model.architecture.width).toBe(32);
    await Promise.all([model.prefill.release(), model.decode.release()]);
  }, 240_000);
});

describe('GPU trainer (tools/gpu-train) with a region part', () => {
  it('dumps box and click items with their prior, and train.py matches the TypeScript losses on them', async () => {
    const { dir, cfg } = await tinyRun(
      'nextmask-gpu-region-',
      { regionBins: 8, regionClicks: 2 },
      { maxSamples: 3, groups: ['btxrd'], region: { text: 0, box: 1, clicks: 1 } },
    );
    const configPath = join(dir, 'config.json');
    await writeFile(configPath, JSON.stringify(cfg));
    const tokenizers = await loadTokenizers(cfg.tokenizers);
    const layout = layoutOf(architectureOf(cfg.architecture, tokenizers));
    const dumpPath = join(dir, 'train.nmtok');
    const region = cfg.train.region as NonNullable<typeof cfg.train.region>;
    await dumpTokens(dumpPath, await trainingSources(cfg), tokenizers, layout, { variants: 2, seed: 1, region });
    await tokenizers.imageEncoder.release();
    const dump = await readTokenDump(dumpPath);
    expect(dump.text.length).toBe(6 * layout.promptTokens);
    expect(dump.prior.length).toBe(6 * GRID_TOKENS);
    expect(dump.prior.some((v) => v > 0)).toBe(true); // click items carry the answer they correct
    // Every record is a box or click item: some region slot holds more than NONE.
    for (let r = 0; r < 6; r++) {
      const slots = Array.from(
        dump.text.subarray(r * layout.promptTokens + layout.maxText, (r + 1) * layout.promptTokens),
      );
      expect(slots.some((id) => id > layout.regionOffset)).toBe(true);
    }

    const python = torchPython();
    if (!python) {
      if (process.env.CI) throw new Error('CI needs python3 with PyTorch (apt python3-torch; .ci/run installs it)');
      return;
    }
    const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8' });
    const init = join(dir, 'init.ckpt');
    run('npx', ['tsx', 'tools/gpu-train/init.ts', '--config', configPath, '--out', init]);
    const out = join(dir, 'gpu-run');
    const args = [
      '--init',
      init,
      '--data',
      dumpPath,
      '--out',
      out,
      '--seconds',
      '60',
      '--batch',
      '2',
      '--max-steps',
      '2',
    ];
    run(python, ['tools/gpu-train/train.py', '--codebook', join(cfg.tokenizers, 'mask-codebook.bin'), ...args]);
    const parts = (await readdir(out)).filter((f) => f.startsWith('checkpoint.ckpt')).sort();
    const joined = Buffer.concat(await Promise.all(parts.map((p) => readFile(join(out, p)))));
    await writeFile(join(dir, 'trained.ckpt'), joined);
    const parity = run(python, ['tools/gpu-train/parity.py', join(dir, 'trained.ckpt'), dumpPath, '--count', '3']);
    expect(parity).toMatch(/parity ok/);
  }, 240_000);
});

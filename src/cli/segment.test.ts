// `nextmask segment` end to end with a small randomly initialised model of the real format: real
// DICOM and PNG input, PNG and SEG output, and every kind of bad input.
import { spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRaster } from '../main/imaging/raster';
import { readMaskPng } from '../main/io/png-mask';
import { didYouMeanNotice, uncoveredNotice } from '../main/prompt/scope';
import { NOTHING_READ } from '../main/prompt/shown-reading';
import { readSeg } from '../main/seg/read-seg';
import { readSourceImages } from '../main/seg/source-images';
import { captureOutput } from '../main/testing/capture-output';
import { dciodvfyErrors } from '../main/testing/dciodvfy';
import { REPO_ROOT, SHARED_DATA, sharedPath } from '../main/testing/shared-data';
import { writeRandomModel } from '../main/testing/tiny-model';
import { describeCoding } from '../shared/labelmap/coding';
import { masksEqual } from '../shared/labelmap/mask';
import { MAX_PROMPT_LENGTH } from '../shared/shown-reading';
import { segmentCommand } from './segment';

let dir: string;
let model: string;
const DICOM = sharedPath('dicom/chest-xray/RG1_J2KI.dcm');
const PNG_DIR = join(SHARED_DATA, 'covid-qu-ex/val/normal/images');
let png: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nextmask-segment-'));
  await writeRandomModel(dir);
  model = join(dir, 'model');
  png = join(PNG_DIR, ((await readdir(PNG_DIR)).sort()[0] as string) ?? '');
}, 30_000);
afterAll(() => rm(dir, { recursive: true, force: true }));

interface Run {
  code: number | undefined;
  error: string | undefined;
  stdout: string;
  stderr: string;
}

/** Runs the command in-process, capturing its output; a thrown error is what nextmask prints with exit 1. */
async function run(...argv: string[]): Promise<Run> {
  let error: string | undefined;
  const { value, stdout, stderr } = await captureOutput(() =>
    segmentCommand(argv).catch((e: Error) => {
      error = e.message;
      return undefined;
    }),
  );
  return { code: value, error, stdout, stderr };
}

/** Files in `dir` other than the model folder: what a failed run must not have left. */
async function leftovers(folder: string): Promise<string[]> {
  return (await readdir(folder)).filter((f) => f !== 'model' && f !== 'tokenizers');
}

describe('nextmask segment', () => {
  it('segments a DICOM radiograph into a mask PNG of its size, and reports it as one JSON line', async () => {
    const out = join(dir, 'dicom-mask.png');
    const r = await run(DICOM, '--prompt', 'left lung', '--out', out, '--json', '--model', model, '--threads', '1');
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const summary = JSON.parse(lines[0] as string);
    expect(Object.keys(summary).sort()).toEqual(
      [
        'confidence',
        'cut',
        'fed',
        'foreground',
        'forwardPasses',
        'gated',
        'height',
        'lowConfidence',
        'model',
        'ms',
        'notices',
        'output',
        'reading',
        'scope',
        'threshold',
        'width',
      ].sort(),
    );
    // A chest radiograph (RG) and an English prompt: nothing to notice (this random model decodes by argmax).
    expect(summary).toMatchObject({
      output: out,
      width: 1841,
      height: 1955,
      model,
      confidence: null,
      lowConfidence: false,
      notices: [],
    });
    const raster = await readRaster(out);
    expect([raster.width, raster.height, raster.bitsStored]).toEqual([1841, 1955, 8]);
    expect(new Set(raster.data).size).toBeLessThanOrEqual(2);
    for (const v of new Set(raster.data)) expect([0, 255]).toContain(v);
    expect(raster.data.filter((v) => v === 255).length).toBe(summary.foreground);
    expect(summary.forwardPasses).toBeGreaterThan(0);
    // The tiny model decodes by argmax unless its model.json says otherwise: no threshold then.
    expect(summary.threshold === null || (summary.threshold > 0 && summary.threshold <= 0.5)).toBe(true);
  });

  it('says in its JSON what the model read, the reading the prompt box shows and what the model does not cover', async () => {
    const out = join(dir, 'reading.png');
    const summary = async (prompt: string) => {
      const r = await run(png, '--prompt', prompt, '--out', out, '--json', '--model', model);
      expect(r.error, prompt).toBeUndefined();
      return JSON.parse(r.stdout);
    };
    const lobar = await summary('RLL consolidation');
    expect(lobar).toMatchObject({
      fed: 'Unilateral pulmonary infection, middle lower right lung.',
      reading: { terms: ['consolidation', 'right lung', 'middle and lower zones'], unread: [], problem: null },
      scope: [],
    });
    expect(describeCoding(lobar.reading.coding)).toBe('Lung consolidation · right');
    expect(await summary('infección pulmonar bilateral')).toMatchObject({
      fed: 'Bilateral pulmonary infection.',
      reading: { terms: ['infection', 'both lungs'], unread: [] },
    });
    expect(await summary('infection rigth lung')).toMatchObject({
      reading: { unread: ['rigth'], didYouMean: 'infection right lung' },
      scope: [didYouMeanNotice('infection right lung')],
    });
    const liver = await summary('liver lesion');
    expect(liver).toMatchObject({ scope: [uncoveredNotice('the liver')], lowConfidence: true });
    expect(liver.reading).toMatchObject({ outOfScope: uncoveredNotice('the liver'), coding: null });
    // Nothing understood: the model reads the prompt as typed, and the answer says it follows none of it.
    const nothing = await summary('blorp zzz');
    expect(nothing).toMatchObject({
      fed: 'blorp zzz',
      reading: { terms: [], unread: ['blorp', 'zzz'], problem: NOTHING_READ },
      lowConfidence: true,
    });
    expect(nothing.notices).toContain(
      'no word of the prompt was understood (blorp, zzz): the answer does not follow it',
    );
  }, 120_000);

  it('reads a prompt of 10 000 characters, saying the model read only its start', async () => {
    const long = `bilateral infection lower zones ${'foo bar baz '.repeat(900)}`.slice(0, MAX_PROMPT_LENGTH);
    const started = performance.now();
    const r = await run(png, '--prompt', long, '--out', join(dir, 'long.png'), '--json', '--model', model);
    expect(performance.now() - started).toBeLessThan(60_000);
    expect(r.error).toBeUndefined();
    const summary = JSON.parse(r.stdout);
    expect(summary.reading).toMatchObject({
      terms: ['infection', 'both lungs', 'lower zone'],
      unread: expect.any(Array),
    });
    expect(summary.reading.moreUnread).toBeGreaterThan(2000);
    // The canonical text is what the model reads: the words it did not understand are not fed.
    expect(summary.fed).toBe('Bilateral pulmonary infection, lower left lung and lower right lung.');
  }, 120_000);

  it('segments a PNG radiograph from the data set into a mask of its size', async () => {
    const out = join(dir, 'png-mask.png');
    const r = await run(png, '--prompt', 'both lungs', '--out', out, '--model', model);
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^wrote .*png-mask\.png \(\d+x\d+, \d+ foreground pixels\) in \d+ ms\n$/);
    const source = await readRaster(png);
    const mask = await readMaskPng(out);
    expect([mask.width, mask.height]).toEqual([source.width, source.height]);
  });

  it('writes a DICOM SEG referencing the input, with the prompt; it re-imports and passes dciodvfy', async () => {
    const prompt = 'Bilateral pulmonary infection, two infected areas';
    const pngOut = join(dir, 'same.png');
    const segOut = join(dir, 'result.dcm');
    expect((await run(DICOM, '--prompt', prompt, '--out', pngOut, '--model', model)).code).toBe(0);
    const r = await run(DICOM, '--prompt', prompt, '--out', segOut, '--model', model);
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(0);
    expect(dciodvfyErrors(segOut)).toEqual([]);
    const sources = await readSourceImages([DICOM]);
    const seg = await readSeg(await readFile(segOut), sources);
    expect(seg.segments).toHaveLength(1);
    expect(seg.segments[0]).toMatchObject({ description: prompt, algorithmType: 'AUTOMATIC' });
    // The SEG holds the same mask the PNG output does (the model is deterministic).
    const expected = await readMaskPng(pngOut);
    expect(masksEqual(seg.segments[0]!.masks[0]!, expected)).toBe(true);
  });
});

describe('nextmask segment on bad input', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['an unreadable file', () => [join(dir, 'absent.dcm'), '--prompt', 'x'], /no file at .*absent\.dcm/],
    ['a garbled file', () => [join(dir, 'garbled.dcm'), '--prompt', 'x'], /garbled\.dcm: not a DICOM, PNG or JPEG/],
    [
      'a truncated DICOM',
      () => [join(dir, 'truncated.dcm'), '--prompt', 'x'],
      /truncated\.dcm: malformed DICOM: file ends early, truncated/,
    ],
    ['an empty prompt', () => [DICOM, '--prompt', '  '], /the prompt is empty/],
    [
      'a prompt over 10 000 characters',
      () => [DICOM, '--prompt', `left lung ${'x'.repeat(MAX_PROMPT_LENGTH)}`],
      /^The prompt is 10,010 characters; at most 10,000 are read: shorten it\.$/,
    ],
    ['a frame the file lacks', () => [DICOM, '--prompt', 'x', '--frame', '2'], /frame 2 out of range/],
  ];

  beforeAll(async () => {
    await writeFile(join(dir, 'garbled.dcm'), 'just some text, not an image');
    const bytes = await readFile(DICOM);
    await writeFile(join(dir, 'truncated.dcm'), bytes.subarray(0, Math.floor(bytes.length / 3)));
  });

  it.each(cases)('%s: a clear error, no output', async (_, args, message) => {
    const out = join(dir, 'bad.png');
    const r = await run(...args(), '--out', out, '--model', model);
    expect(r.code).toBeUndefined();
    expect(r.error).toMatch(message);
    expect(r.error).not.toContain('\n');
    expect(await leftovers(dir)).not.toContain('bad.png');
  });

  it('a missing model folder: says how to get a model', async () => {
    const out = join(dir, 'no-model.png');
    const absent = await run(DICOM, '--prompt', 'x', '--out', out, '--model', join(dir, 'absent-model'));
    expect(absent.error).toMatch(/no model folder at .*absent-model/);
    const cwd = process.cwd();
    process.chdir(dir); // no models/base here: the default must fail the same way
    try {
      const byDefault = await run(DICOM, '--prompt', 'x', '--out', out);
      expect(byDefault.error).toMatch(/no model folder at .*models[\\/]base: run it from the repository root.*train/);
    } finally {
      process.chdir(cwd);
    }
    expect(await leftovers(dir)).not.toContain('no-model.png');
  });

  it('a broken model folder: names the folder and the problem', async () => {
    const broken = join(dir, 'broken-model');
    await mkdir(broken, { recursive: true });
    await writeFile(join(broken, 'model.json'), '{"format": "something else"');
    const r = await run(DICOM, '--prompt', 'x', '--out', join(dir, 'broken.png'), '--model', broken);
    expect(r.error).toMatch(/cannot load the model in .*broken-model: /);
    await writeFile(join(broken, 'model.json'), await readFile(join(model, 'model.json')));
    const noWeights = await run(DICOM, '--prompt', 'x', '--out', join(dir, 'broken.png'), '--model', broken);
    expect(noWeights.error).toMatch(/cannot load the model in .*broken-model: /);
    await rm(broken, { recursive: true });
    expect(await leftovers(dir)).not.toContain('broken.png');
  });

  it('a SEG requested for a PNG input', async () => {
    const r = await run(png, '--prompt', 'x', '--out', join(dir, 'png.dcm'), '--model', model);
    expect(r.error).toMatch(/a DICOM SEG needs DICOM input/);
    expect(await leftovers(dir)).not.toContain('png.dcm');
  });

  it('an unwritable output: fails before the model runs, and leaves no partial file', async () => {
    const missingDir = await run(DICOM, '--prompt', 'x', '--out', join(dir, 'no/such/dir.png'), '--model', model);
    expect(missingDir.error).toMatch(/cannot write .*dir\.png: its folder does not exist or is not writable/);
    const locked = join(dir, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o500);
    try {
      // root may write anywhere; then at least the output appears whole.
      const r = await run(DICOM, '--prompt', 'x', '--out', join(locked, 'm.png'), '--model', model);
      if (r.error) expect(r.error).toMatch(/cannot write/);
      else expect(await readdir(locked)).toEqual(['m.png']);
      // An existing folder where the output should go: rename fails, the temporary file goes.
      await mkdir(join(dir, 'taken.png'));
      const taken = await run(DICOM, '--prompt', 'x', '--out', join(dir, 'taken.png'), '--model', model);
      expect(taken.error).toMatch(/cannot write .*taken\.png: /);
      expect((await readdir(dir)).filter((f) => f.includes('partial'))).toEqual([]);
    } finally {
      await chmod(locked, 0o700);
    }
  });

  it('usage errors exit 2 with the usage line', async () => {
    for (const argv of [
      [DICOM, '--out', join(dir, 'u.png')],
      [DICOM, '--prompt', 'x'],
      ['--prompt', 'x', '--out', join(dir, 'u.png')],
      [DICOM, '--prompt', 'x', '--out', join(dir, 'u.nii')],
      [DICOM, '--prompt', 'x', '--out', join(dir, 'u.png'), '--threads', '0'],
      [DICOM, '--prompt', 'x', '--out', join(dir, 'u.png'), '--colour', 'red'],
    ]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/^nextmask segment: .+\nusage: nextmask segment /);
    }
  });

  it('as a process: bad input exits 1 with one line, usage errors exit 2', () => {
    const cli = join(REPO_ROOT, 'src/cli/nextmask.ts');
    const spawn = (...argv: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', cli, 'segment', ...argv], { encoding: 'utf8', cwd: REPO_ROOT });
    const bad = spawn(join(dir, 'garbled.dcm'), '--prompt', 'x', '--out', join(dir, 'p.png'), '--model', model);
    expect(bad.status).toBe(1);
    expect(bad.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^nextmask segment: .*not a DICOM/)]);
    expect(spawn(DICOM).status).toBe(2);
  });
});

// The model shipped in models/base, through the command's default --model (resolved from the working
// directory, the repository root here): the "done when" for the CLI, PNG and SEG.
describe('nextmask segment with the shipped model', () => {
  const inRepo = async (...argv: string[]) => {
    const cwd = process.cwd();
    process.chdir(REPO_ROOT);
    try {
      return await run(...argv);
    } finally {
      process.chdir(cwd);
    }
  };

  it('segments RG1_J2KI.dcm into a PNG of the source size and a dciodvfy-clean SEG holding the same mask', async () => {
    const pngOut = join(dir, 'shipped.png');
    const segOut = join(dir, 'shipped.dcm');
    const prompt = 'both lungs';
    const r = await inRepo(DICOM, '--prompt', prompt, '--out', pngOut, '--json');
    expect(r.error).toBeUndefined();
    expect(JSON.parse(r.stdout)).toMatchObject({ width: 1841, height: 1955, model: join(REPO_ROOT, 'models/base') });
    const mask = await readMaskPng(pngOut);
    expect([mask.width, mask.height]).toEqual([1841, 1955]);
    expect((await inRepo(DICOM, '--prompt', prompt, '--out', segOut)).code).toBe(0);
    expect(dciodvfyErrors(segOut)).toEqual([]);
    const seg = await readSeg(await readFile(segOut), await readSourceImages([DICOM]));
    expect(seg.segments[0]).toMatchObject({ description: prompt, algorithmType: 'AUTOMATIC' });
    expect(masksEqual(seg.segments[0]!.masks[0]!, mask)).toBe(true);
  }, 60_000);

  it('segments a PNG radiograph from the data set into a mask of its size', async () => {
    const out = join(dir, 'shipped-png.png');
    const r = await inRepo(png, '--prompt', 'right lung', '--out', out);
    expect(r.error).toBeUndefined();
    const source = await readRaster(png);
    const mask = await readMaskPng(out);
    expect([mask.width, mask.height]).toEqual([source.width, source.height]);
  }, 60_000);
});

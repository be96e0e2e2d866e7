// `nextmask eval --prompts`: a tiny random model on a tiny data folder made here (two chest films, one bone film).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveInfectionFindings } from '../main/data/infection-findings';
import { canonicalInfectionText } from '../main/data/infection-text';
import { fillRect } from '../main/data/test-masks';
import { CARD_BLOCK, styleCard } from '../main/evaluation/paraphrase';
import { encodePngGrey, readBinaryMask } from '../main/imaging/raster';
import { encodeMaskPng } from '../main/io/png-mask';
import { captureOutput } from '../main/testing/capture-output';
import { writeRandomModel } from '../main/testing/tiny-model';
import { evalCommand } from './eval';

const BONE =
  'One benign osteochondroma lesion in the tibia of the lower limb (frontal view), located in the central region.';

async function writeFilm(path: string, seed: number): Promise<void> {
  const data = new Uint8Array(64 * 64).map((_, i) => (i * 37 + seed * 11) % 256);
  await writeFile(path, encodePngGrey({ width: 64, height: 64, bitsStored: 8, data }));
}

async function writeDataFolder(root: string): Promise<void> {
  const chest = join(root, 'covid-qu-ex/val/covid');
  for (const sub of ['images', 'infection-masks', 'lung-masks']) await mkdir(join(chest, sub), { recursive: true });
  for (const [i, name] of ['a.png', 'b.png'].entries()) {
    await writeFilm(join(chest, 'images', name), i);
    const lungs = fillRect(
      fillRect({ width: 64, height: 64, data: new Uint8Array(64 * 64) }, 4, 4, 28, 60),
      36,
      4,
      60,
      60,
    );
    await writeFile(join(chest, 'lung-masks', name), encodeMaskPng(lungs));
    const infection = fillRect(
      { width: 64, height: 64, data: new Uint8Array(64 * 64) },
      8 + i * 30,
      40,
      20 + i * 30,
      56,
    );
    await writeFile(join(chest, 'infection-masks', name), encodeMaskPng(infection));
  }
  const bone = join(root, 'btxrd/val');
  await mkdir(join(bone, 'images'), { recursive: true });
  await mkdir(join(bone, 'masks'), { recursive: true });
  await writeFilm(join(bone, 'images/c.png'), 5);
  await writeFile(
    join(bone, 'masks/c.png'),
    encodeMaskPng(fillRect({ width: 64, height: 64, data: new Uint8Array(64 * 64) }, 20, 20, 40, 40)),
  );
  await writeFile(join(bone, 'descriptions.csv'), `image,mask,description\nimages/c.png,masks/c.png,"${BONE}"\n`);
}

describe('nextmask eval --prompts', () => {
  let dir: string;
  const line = (group: string, image: string, prompt: string, style: string) =>
    JSON.stringify({ group, image, prompt, style });
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nextmask-eval-prompts-'));
    await writeRandomModel(join(dir, 'm'), 3, 'expected');
    await writeDataFolder(join(dir, 'data'));
  }, 60_000);
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const run = async (file: string, ...more: string[]) =>
    captureOutput(() =>
      evalCommand([
        '--data',
        join(dir, 'data'),
        '--model',
        join(dir, 'm/model'),
        '--views',
        '1',
        '--prompts',
        file,
        ...more,
      ]),
    );

  it('scores each style against the template on the same films', async () => {
    // The template itself as a "style" must score exactly the template's Dice: same text, same answer.
    const chest = join(dir, 'data/covid-qu-ex/val/covid');
    const template = canonicalInfectionText(
      deriveInfectionFindings(
        await readBinaryMask(join(chest, 'infection-masks/a.png')),
        await readBinaryMask(join(chest, 'lung-masks/a.png')),
      ),
    );
    const file = join(dir, 'prompts.jsonl');
    await writeFile(
      file,
      [
        line('infection', 'covid/images/a.png', template, 'same'),
        line('btxrd', 'images/c.png', BONE, 'same'),
        line('infection', 'covid/images/a.png', 'RLL consolidation', 'lobar'),
        line('infection', 'covid/images/b.png', 'bilateral GGOs', 'sided'),
        '',
        line('btxrd', 'images/c.png', 'exostosis of the tibia', 'synonym'),
      ].join('\n'),
    );
    const { value, stdout } = await run(file);
    expect(value).toBe(0);
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) as string);
    expect(Object.keys(summary).sort()).toEqual(['lobar', 'same', 'sided', 'synonym']);
    expect(summary.same.n).toBe(2);
    expect(summary.same.dice).toBe(summary.same.templateDice);
    expect(summary.sided.n).toBe(1);
    for (const s of Object.values(summary) as { dice: number; templateDice: number }[]) {
      expect(s.dice).toBeGreaterThanOrEqual(0);
      expect(s.templateDice).toBeLessThanOrEqual(1);
    }
    // --per-style 1 keeps one prompt of each style.
    const one = JSON.parse((await run(file, '--per-style', '1')).stdout.trim().split('\n').at(-1) as string);
    expect(one.same.n).toBe(1);
    // --card writes the same summary as the card's table, between its markers.
    const card = join(dir, 'CARD.md');
    await writeFile(card, `# Card\n\n${CARD_BLOCK.start}\nold\n${CARD_BLOCK.end}\n\n## Next\n`);
    const carded = await run(file, '--card', card);
    expect(carded.value).toBe(0);
    const written = await readFile(card, 'utf8');
    const last = carded.stdout.trim().split('\n').at(-1) as string;
    expect(written).toBe(
      `# Card\n\n${CARD_BLOCK.start}\n${styleCard(JSON.parse(last))}\n${CARD_BLOCK.end}\n\n## Next\n`,
    );
    expect(written).toContain('| `lobar` ');
  }, 120_000);

  it('refuses --card before the run when the card lacks the markers, or without --prompts', async () => {
    const card = join(dir, 'BARE.md');
    await writeFile(card, '# Card without the block\n');
    const file = join(dir, 'one.jsonl');
    await writeFile(file, line('btxrd', 'images/c.png', BONE, 'same'));
    const bare = await run(file, '--card', card);
    expect(bare.value).toBe(2);
    expect(bare.stderr).toMatch(
      /BARE\.md lacks the block to write: add the lines <!-- paraphrase:start .* and <!-- paraphrase:end -->/,
    );
    expect(bare.stderr).not.toMatch(/\d+\/\d+\n/);
    expect(await readFile(card, 'utf8')).toBe('# Card without the block\n');
    const alone = await captureOutput(() => evalCommand(['--data', join(dir, 'data'), '--card', card]));
    expect(alone.value).toBe(2);
    expect(alone.stderr).toMatch(/--card writes the per-style table of --prompts: pass both/);
  });

  it('refuses a bad file, a bad line or an unknown film with a usage error naming the line', async () => {
    const cases: [string, RegExp][] = [
      ['{"group": "infection"', /bad\.jsonl:1: not a JSON line/],
      [`${line('infection', 'covid/images/a.png', 'x', 's')}\n[1]`, /bad\.jsonl:2: expected an object/],
      [line('lung', 'covid/images/a.png', 'x', 's'), /bad\.jsonl:1: "group" must be infection or btxrd/],
      [
        JSON.stringify({ group: 'btxrd', image: 'images/c.png', prompt: '', style: 's' }),
        /:1: "prompt" must be a non-empty/,
      ],
      [
        `\n\n${line('btxrd', 'images/zzz.png', 'x', 's')}`,
        /bad\.jsonl:3: btxrd film "images\/zzz\.png" is not in split "val"/,
      ],
      [`${line('btxrd', 'images/c.png', 'x', 's').slice(0, -1)},"extra":1}`, /:1: unknown key "extra"/],
      ['\n', /bad\.jsonl: no prompts/],
    ];
    const file = join(dir, 'bad.jsonl');
    for (const [text, message] of cases) {
      await writeFile(file, text);
      const { value, stderr } = await run(file);
      expect(value, text).toBe(2);
      expect(stderr, text).toMatch(message);
      expect(stderr).toMatch(/usage: nextmask eval/);
    }
    const missing = await run(join(dir, 'nope.jsonl'));
    expect(missing.value).toBe(2);
    expect(missing.stderr).toMatch(/nope\.jsonl: cannot read it \(ENOENT\)/);
  }, 60_000);
});

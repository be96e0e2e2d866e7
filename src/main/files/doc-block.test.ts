import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markdownTable, readBlockFile, replaceBlock, writeBlock } from './doc-block';

const BLOCK = { start: '<!-- x:start -->', end: '<!-- x:end -->' };

describe('a block a command writes', () => {
  it('replaces what lies between the markers and keeps the rest, markers included', () => {
    const doc = `# Card\n\nbefore\n${BLOCK.start}\nold table\n${BLOCK.end}\nafter\n`;
    const written = replaceBlock(doc, BLOCK, '| a |\n| --- |', 'card.md');
    expect(written).toBe(`# Card\n\nbefore\n${BLOCK.start}\n| a |\n| --- |\n${BLOCK.end}\nafter\n`);
    // Written again, the same: the old body goes whole.
    expect(replaceBlock(written, BLOCK, '| a |\n| --- |', 'card.md')).toBe(written);
  });

  it('fails naming the file and the markers when one is missing or the end comes first', () => {
    const lacks =
      /^card\.md lacks the block to write: add the lines <!-- x:start --> and <!-- x:end --> where it goes$/;
    for (const doc of ['no markers', `${BLOCK.start}\nbody`, `body\n${BLOCK.end}`, `${BLOCK.end}\n${BLOCK.start}`])
      expect(() => replaceBlock(doc, BLOCK, 'new', 'card.md'), doc).toThrow(lacks);
  });

  it('pads a table as the Markdown formatter does', () => {
    expect(markdownTable(['style', 'n'], [['`chest-short`', '21']])).toEqual([
      '| style         | n   |',
      '| ------------- | --- |',
      '| `chest-short` | 21  |',
    ]);
  });
});

describe('the file a block is written into', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nextmask-doc-block-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('is rewritten in place; one without the block or absent is refused before anything is written', async () => {
    const card = join(dir, 'card.md');
    await writeFile(card, `top\n${BLOCK.start}\n${BLOCK.end}\n`);
    await writeBlock(card, BLOCK, 'body');
    expect(await readFile(card, 'utf8')).toBe(`top\n${BLOCK.start}\nbody\n${BLOCK.end}\n`);
    const bare = join(dir, 'bare.md');
    await writeFile(bare, 'no block here\n');
    await expect(readBlockFile(bare, BLOCK)).rejects.toThrow(/bare\.md lacks the block to write/);
    await expect(writeBlock(bare, BLOCK, 'body')).rejects.toThrow(/lacks the block/);
    expect(await readFile(bare, 'utf8')).toBe('no block here\n');
    await expect(readBlockFile(join(dir, 'absent.md'), BLOCK)).rejects.toThrow(/cannot read .*absent\.md \(ENOENT\)/);
  });
});

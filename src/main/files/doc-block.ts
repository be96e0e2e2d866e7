// A block of a Markdown file that a command writes, between a start and an end marker (the tokenizers'
// report in docs/DATA.md, the paraphrase table in models/MODEL_CARD.md), so measured numbers are never
// copied by hand. Its tables are padded as the repository's Markdown formatter pads them.
import { readFile, writeFile } from 'node:fs/promises';

/** The markers around a block: HTML comments, invisible in the rendered file. */
export interface DocBlock {
  start: string;
  end: string;
}

/** A table padded the way the repository's Markdown formatter pads it, so `npm run lint` stays clean. */
export function markdownTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, c) => Math.max(h.length, 3, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c] as number)).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

/** `doc` with the text between the block's markers replaced by `body`; throws, naming `name`, when a marker is missing. */
export function replaceBlock(doc: string, block: DocBlock, body: string, name: string): string {
  const start = doc.indexOf(block.start);
  const end = doc.indexOf(block.end, start + block.start.length);
  if (start < 0 || end < 0)
    throw new Error(`${name} lacks the block to write: add the lines ${block.start} and ${block.end} where it goes`);
  return `${doc.slice(0, start + block.start.length)}\n${body}\n${doc.slice(end)}`;
}

/** The file at `path`, checked to hold the block (so a long run does not find out only at the end). */
export async function readBlockFile(path: string, block: DocBlock): Promise<string> {
  let doc: string;
  try {
    doc = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  replaceBlock(doc, block, '', path);
  return doc;
}

/** Rewrites the block of the file at `path` with `body`. */
export async function writeBlock(path: string, block: DocBlock, body: string): Promise<void> {
  const doc = await readBlockFile(path, block);
  await writeFile(path, replaceBlock(doc, block, body, path));
}

// BTXRD bone-tumour radiographs: descriptions.csv (image,mask,description) per split.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseCsv } from './csv';

export interface BtxrdEntry {
  imagePath: string;
  maskPath: string;
  description: string;
}

const COLUMNS = ['image', 'mask', 'description'] as const;

/** The split's entries, or [] when the split has no btxrd folder. Bad rows are an error naming the line. */
export async function loadBtxrdSplit(dataDir: string, split: string): Promise<BtxrdEntry[]> {
  const splitDir = join(dataDir, 'btxrd', split);
  const csvPath = join(splitDir, 'descriptions.csv');
  if (!existsSync(csvPath)) return [];
  const rows = parseCsv(await readFile(csvPath, 'utf8'));
  const header = rows[0]?.map((h) => h.trim().toLowerCase()) ?? [];
  const index = COLUMNS.map((c) => header.indexOf(c));
  if (index.some((i) => i < 0)) throw new Error(`${csvPath}: header must have columns ${COLUMNS.join(',')}`);
  const [imageCol, maskCol, textCol] = index as [number, number, number];
  return rows.slice(1).map((row, i) => {
    const image = row[imageCol]?.trim();
    const mask = row[maskCol]?.trim();
    const description = row[textCol]?.trim();
    if (!image || !mask || !description) throw new Error(`${csvPath}:${i + 2}: empty image, mask or description`);
    return { imagePath: resolve(splitDir, image), maskPath: resolve(splitDir, mask), description };
  });
}

// COVID-QU-Ex chest X-rays: {split}/{covid,non-covid,normal}/{images,infection-masks,lung-masks}/<name>.png
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

export type CovidClass = 'covid' | 'non-covid' | 'normal';
export const COVID_CLASSES: readonly CovidClass[] = ['covid', 'non-covid', 'normal'];

export interface CovidEntry {
  name: string;
  cls: CovidClass;
  imagePath: string;
  infectionMaskPath: string;
  lungMaskPath: string;
}

/** The split's images with both masks, sorted by class and name; missing class folders are skipped. */
export async function loadCovidSplit(dataDir: string, split: string): Promise<CovidEntry[]> {
  const entries: CovidEntry[] = [];
  for (const cls of COVID_CLASSES) {
    const dir = join(dataDir, 'covid-qu-ex', split, cls);
    const imagesDir = join(dir, 'images');
    if (!existsSync(imagesDir)) continue;
    const names = (await readdir(imagesDir)).filter((n) => n.toLowerCase().endsWith('.png')).sort();
    for (const name of names) {
      const entry = {
        name,
        cls,
        imagePath: join(imagesDir, name),
        infectionMaskPath: join(dir, 'infection-masks', name),
        lungMaskPath: join(dir, 'lung-masks', name),
      };
      for (const path of [entry.infectionMaskPath, entry.lungMaskPath]) {
        if (!existsSync(path)) throw new Error(`${entry.imagePath}: its mask ${path} is missing`);
      }
      entries.push(entry);
    }
  }
  return entries;
}

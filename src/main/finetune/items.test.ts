import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMask } from '../../shared/labelmap/mask';
import { boxOnGrid, windowText } from '../data/region-items';
import { encodePngGrey } from '../imaging/raster';
import { type Box, regionWindow } from '../imaging/zoom-window';
import { layoutOf } from '../model/config';
import { readModelFile } from '../model-files/model-folder';
import { TINY_REGION, writeRandomModel } from '../testing/tiny-model';
import { type FineTuneItem, loadItem, loadZoomedItem, withZoomedItems, zoomedId } from './items';

const root = mkdtempSync(join(tmpdir(), 'nextmask-ftitems-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const share = (m: { data: Uint8Array }) => m.data.reduce((a, v) => a + (v ? 1 : 0), 0) / m.data.length;

/** A 400x320 film with a 16x12 lesion, corrected by the clinician. */
async function correction(box?: Box): Promise<FineTuneItem & { kind: 'file' }> {
  const [W, H] = [400, 320];
  const path = join(root, 'film.png');
  const data = Uint8Array.from({ length: W * H }, (_, i) => (i * 13) % 256);
  await writeFile(path, encodePngGrey({ width: W, height: H, bitsStored: 8, data }));
  const mask = createMask(W, H);
  for (let y = 200; y < 212; y++) mask.data.fill(1, y * W + 300, y * W + 316);
  return {
    kind: 'file',
    id: 'film#ai-1@0',
    caseId: 'film',
    path,
    frame: 0,
    prompt: 'osteochondroma of the left distal femur',
    mask,
    ...(box ? { box } : {}),
  };
}

describe('zoomed corrections', () => {
  it('a correction for a model with a region part also trains zoomed: a box item whose lesion fills more of its window', async () => {
    await writeRandomModel(join(root, 'region'), 1, 'argmax', TINY_REGION);
    await writeRandomModel(join(root, 'text'));
    const regionSlots = async (name: string) =>
      layoutOf((await readModelFile(join(root, name, 'model'))).architecture).regionSlots;
    const item = await correction();
    // A text-only model trains on the film alone.
    expect(withZoomedItems([item], await regionSlots('text'))).toEqual([item]);
    const items = withZoomedItems([item], await regionSlots('region'));
    expect(items.map((i) => [i.id, i.zoomed ?? false])).toEqual([
      [item.id, false],
      [zoomedId(item.id), true],
    ]);
    const zoomed = await loadZoomedItem(items[1] as FineTuneItem, 7);
    const film = await loadItem(item, 7);
    expect(zoomed.image.width).toBe(film.image.width);
    expect(zoomed.mask.width).toBe(film.mask.width);
    expect(share(zoomed.mask)).toBeGreaterThan(4 * share(film.mask));
    // The simulated box lies on the window's grid, around the lesion; the prompt as a window reads it.
    const box = zoomed.region.box;
    expect(box).toBeDefined();
    expect(box!.x1 - box!.x0).toBeGreaterThan(0);
    expect(['', windowText(item.prompt)]).toContain(zoomed.text);
    // A lesion's box is small: its prior is the box's ellipse, as the segmenter decodes it.
    const prior = zoomed.prior as NonNullable<typeof zoomed.prior>;
    const at = (x: number, y: number) => prior.data[Math.floor(y) * prior.width + Math.floor(x)];
    expect(at((box!.x0 + box!.x1) / 2, (box!.y0 + box!.y1) / 2)).toBe(1);
    expect(at(box!.x0 + 0.5, box!.y0 + 0.5)).toBe(0);
    // Seeded: the same seed gives the same item.
    expect(await loadZoomedItem(items[1] as FineTuneItem, 7)).toEqual(zoomed);
  });

  it('takes the box the clinician drew when the correction carries one', async () => {
    const drawn = { x0: 290, y0: 190, x1: 330, y1: 220 };
    const item = await correction(drawn);
    const [, zoomed] = withZoomedItems([item], 1);
    const loaded = await loadZoomedItem(zoomed as FineTuneItem, 3);
    const window = regionWindow({ box: drawn }, [], 400, 320);
    expect(window).not.toBeNull();
    expect(loaded.region.box).toEqual(boxOnGrid(drawn, window!));
  });
});

import { describe, expect, it } from 'vitest';
import { regionBox } from '../model/film-region';
import { sharedPath } from '../testing/shared-data';
import { cropBox } from './crop';
import { listSamples, loadSample } from './samples';

describe('cropBox', () => {
  it('crops any sample type, row by row', () => {
    const plane = { width: 4, height: 3, bitsStored: 16 as const, data: Uint16Array.from({ length: 12 }, (_, i) => i) };
    const crop = cropBox(plane, { x: 1, y: 1, width: 3, height: 2 });
    expect(crop).toEqual({ width: 3, height: 2, bitsStored: 16, data: Uint16Array.from([5, 6, 7, 9, 10, 11]) });
  });
});

describe('loadSample with the named region', () => {
  it('draws the part of the film the description names, target and film cropped alike', async () => {
    const [source] = await listSamples(sharedPath('data'), 'val', { groups: ['btxrd'] });
    if (!source) throw new Error('no btxrd val sample');
    const whole = await loadSample(source);
    const box = regionBox(whole.text, whole.film.width, whole.film.height);
    if (!box) throw new Error(`no film region named in ${whole.text}`);
    const region = await loadSample(source, { seed: 5, region: true });
    expect(region.text).toBe(whole.text);
    expect(region.image.width).toBe(256);
    expect(region.sourceMask).toEqual(cropBox(whole.sourceMask, box));
    expect(region.film.width).toBe(box.width);
    expect(region.film.height).toBe(box.height);
    // Without the option, or without a seed (evaluation), the whole film.
    expect((await loadSample(source, { seed: 5 })).film.width).toBe(whole.film.width);
    expect((await loadSample(source, { region: true })).film.width).toBe(whole.film.width);
  });
});

import { describe, expect, it } from 'vitest';
import { SAMPLE_SIZE } from '../imaging/model-input';
import { SHARED_DATA, sharedPath } from '../testing/shared-data';
import { listSamples, loadSample, repeatGroups, type SampleSource } from './samples';

describe('samples from the real data', () => {
  it('lists covid infection, three lung prompts per chest film, and btxrd for val', async () => {
    sharedPath('data');
    const all = await listSamples(SHARED_DATA, 'val');
    const by = (g: string) => all.filter((s) => s.group === g).length;
    expect(by('infection')).toBe(236);
    expect(by('lung')).toBe(3 * (236 + 126 + 131));
    expect(by('btxrd')).toBe(280);
    expect((await listSamples(SHARED_DATA, 'val', { includeHealthy: true })).length).toBe(all.length + 126 + 131);
  });

  it('loads a 256x256 sample with canonical text, and an augmented one deterministically under a seed', async () => {
    const [covid] = await listSamples(SHARED_DATA, 'val', { groups: ['infection'] });
    const plain = await loadSample(covid!);
    expect(plain.image.width).toBe(SAMPLE_SIZE);
    expect(plain.mask.data.length).toBe(SAMPLE_SIZE * SAMPLE_SIZE);
    expect(plain.text).toMatch(/^(Unilateral|Bilateral) pulmonary infection, \w+ infected areas?, .* lung\.$/);
    const a = await loadSample(covid!, { seed: 11 });
    const b = await loadSample(covid!, { seed: 11 });
    expect(a.image.data).toEqual(b.image.data);
    expect(a.text).toBe(b.text);
    expect(a.image.data).not.toEqual(plain.image.data);
  });

  it('resizes non-square btxrd radiographs and keeps the source-size mask for scoring', async () => {
    const [bone] = await listSamples(SHARED_DATA, 'val', { groups: ['btxrd'] });
    const sample = await loadSample(bone!);
    expect(sample.mask.width).toBe(SAMPLE_SIZE);
    expect(sample.sourceMask.width * sample.sourceMask.height).toBeGreaterThan(0);
    expect(sample.text).toBe((bone as { description: string }).description);
  });

  it('leaves out groups a folder does not have', async () => {
    expect(await listSamples(SHARED_DATA, 'no-such-split')).toEqual([]);
  });
});

describe('repeatGroups', () => {
  const source = (group: 'infection' | 'btxrd', id: string): SampleSource =>
    group === 'btxrd'
      ? { group, id, imagePath: `${id}.jpg`, maskPath: `${id}.png`, description: 'One lesion.' }
      : { group, id, imagePath: `${id}.png`, maskPath: `${id}-m.png`, lungMaskPath: `${id}-l.png` };

  it('repeats only the listed groups, each source in place', () => {
    const list = [source('infection', 'a'), source('btxrd', 'b'), source('infection', 'c')];
    expect(repeatGroups(list, { btxrd: 3 }).map((s) => s.id)).toEqual(['a', 'b', 'b', 'b', 'c']);
    expect(repeatGroups(list, {}).map((s) => s.id)).toEqual(['a', 'b', 'c']);
  });

  it('rejects unknown groups and counts below one', () => {
    expect(() => repeatGroups([], { bones: 2 } as never)).toThrow(/unknown group "bones"/);
    expect(() => repeatGroups([], { btxrd: 0 })).toThrow(/integer ≥ 1, got 0/);
    expect(() => repeatGroups([], { btxrd: 1.5 })).toThrow(/integer ≥ 1/);
  });
});

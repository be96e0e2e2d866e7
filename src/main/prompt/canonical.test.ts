import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBtxrdSplit } from '../data/btxrd';
import { canonicalInfectionText } from '../data/infection-text';
import { LUNG_TARGETS, lungPromptsFor } from '../data/lung-prompts';
import { SHARED_DATA } from '../testing/shared-data';
import { LUNG_PROMPTS } from './canonical';
import { ZONES, type Zone } from './grammar';
import { readPrompt } from './reading';

/** Every set of zones one lung can hold, upper → lower (the empty set: that lung holds none). */
const ZONE_SETS: Zone[][] = Array.from({ length: 1 << ZONES.length }, (_, bits) =>
  ZONES.filter((_, i) => bits & (1 << i)),
);

// Template prompts must reach the model as before: every description the model was trained and is
// scored on reads back to itself, byte for byte.
describe('the canonical text of the training descriptions', () => {
  it('is the chest template itself, for every count and every zone of either lung', () => {
    const changed: string[] = [];
    for (let count = 0; count <= 12; count++)
      for (const left of ZONE_SETS)
        for (const right of ZONE_SETS) {
          if (count > 0 && left.length + right.length === 0) continue;
          const text = canonicalInfectionText({ count, zones: { left, right } });
          if (readPrompt(text).canonical !== text) changed.push(text);
        }
    expect(changed).toEqual([]);
  });

  it('is the lung prompt itself', () => {
    for (const target of LUNG_TARGETS) {
      const prompt = LUNG_PROMPTS[target];
      expect(readPrompt(prompt).canonical).toBe(prompt);
      expect(lungPromptsFor(target)).toContain(prompt);
    }
  });

  const splits = ['train', 'val'].filter((split) => existsSync(join(SHARED_DATA, 'btxrd', split, 'descriptions.csv')));
  it.runIf(splits.length === 2)("is BTXRD's own description, for every training and val film", async () => {
    const changed: string[] = [];
    let n = 0;
    for (const split of splits)
      for (const { description } of await loadBtxrdSplit(SHARED_DATA, split)) {
        n++;
        const { canonical } = readPrompt(description);
        if (canonical !== description) changed.push(`${description} → ${canonical}`);
      }
    expect(n).toBeGreaterThan(1000);
    expect(changed).toEqual([]);
  });
});

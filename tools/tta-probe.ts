// Probe (session 8): which test-time views to average (src/main/model/test-time-views.ts)? Decodes every
// candidate view of each val image once, then scores each combination of views (mean probability map,
// thresholded; an empty mean falls back as segment() would, at 0.4 then 0.3 on the same maps — cheaper than
// segment()'s re-decode, close enough to rank views) per image, per group, with and without the lung gate
// (lung-gate.ts; "+gate" rows, chest finding prompts only). Results: docs/MODEL.md, "Test-time views" and
// "Lung gate". Usage:
//   npx tsx tools/tta-probe.ts [model dir] [per group 40] [groups infection,lung,btxrd] [offset]
// `offset` takes the mid-points of eval --per-group's evenly spread picks: a subset that mostly differs.

import { type Plane, resizeThreshold } from '../src/main/data/resample';
import { type Group, listSamples, loadSample } from '../src/main/data/samples';
import { diceOf, overlap } from '../src/main/metrics/segmentation';
import { spread } from '../src/main/model/evaluate';
import { gated, lungPlaces } from '../src/main/model/lung-gate';
import { loadModel } from '../src/main/model/model-files';
import { lungGate, segment } from '../src/main/model/segment';
import { IDENTITY_VIEW, meanMap, type View } from '../src/main/model/test-time-views';

const [modelDir = 'models/base', perArg = '40', groupsArg = 'infection,lung,btxrd', subset] = process.argv.slice(2);
const perGroup = Number(perArg);
const groups = groupsArg.split(',') as Group[];
const model = await loadModel(modelDir, 2);
const listed = await listSamples('../shared/data', 'val', { groups });
const sources =
  subset === 'offset'
    ? groups.flatMap((g) => {
        const list = listed.filter((s) => s.group === g);
        const n = Math.min(perGroup, list.length);
        return Array.from({ length: n }, (_, i) => list[Math.floor((i + 0.5) * (list.length / n))] as (typeof list)[0]);
      })
    : spread(listed, perGroup);

const view = (shiftX: number, shiftY: number, scale = 1, gamma = 1, mirror = false): View => ({
  affine: { scale, shiftX, shiftY },
  gamma,
  mirror,
});
const views: View[] = [
  IDENTITY_VIEW,
  view(8, 8),
  view(0, 0, 1.06),
  view(0, 0, 0.94),
  view(0, 0, 1, 0.8),
  view(0, 0, 1, 1.25),
  view(0, 0, 1, 1, true),
  view(0, 0, 1, 0.8, true),
  view(0, 0, 1, 1.25, true),
];
const combos: Record<string, number[]> = {
  one: [0],
  mixA3: [0, 1, 3],
  scales3: [0, 2, 3],
  gains3: [0, 4, 5],
  scaleGamma3: [0, 3, 4],
  scaleGammaB3: [0, 2, 5],
  scalesGammas5: [0, 2, 3, 4, 5],
  all6: [0, 1, 2, 3, 4, 5],
  mirror1: [6],
  gainsMirror4: [0, 4, 5, 6],
  gainsMirrors6: [0, 4, 5, 6, 7, 8],
};
const THRESHOLDS = [0.5, 0.45, 0.4];
const sums: Partial<Record<Group, Record<string, number>>> = {};
const counts: Partial<Record<Group, number>> = {};
for (const [k, source] of sources.entries()) {
  const sample = await loadSample(source);
  const { width, height, data: target } = sample.sourceMask;
  const maps: Plane<Float32Array>[] = [];
  for (const v of views) {
    // Each view alone, decoded once at 0.5 (no re-decode on an empty answer: the fallback is judged on the
    // mean); segment() returns its map already mapped back to the input's frame.
    const r = await segment(model, sample.image, sample.text, sample.sourceMask, {
      views: [v],
      fallback: [],
      gate: false,
    });
    if (!r.probability) throw new Error(`${modelDir} does not decode with the expected rule`);
    maps.push(r.probability);
  }
  const group = source.group;
  counts[group] = (counts[group] ?? 0) + 1;
  const scores = sums[group] ?? {};
  sums[group] = scores;
  const means = Object.entries(combos).map(([name, picked]) => ({
    name,
    mean: meanMap(picked.map((i) => maps[i] as Plane<Float32Array>)),
  }));
  // The gate as segment() makes it: the model's "both lungs" on the image alone, cut to the prompt's places.
  const places = lungPlaces(sample.text);
  if (places) {
    const { region } = await lungGate(model, sample.image, places);
    // No lungs found: segment() answers ungated, and so does the row.
    const gate = (mean: Plane<Float32Array>) => (region ? gated(mean, region) : mean);
    means.push(...means.map(({ name, mean }) => ({ name: `${name}+gate`, mean: gate(mean) })));
  }
  for (const { name, mean } of means) {
    for (const t of THRESHOLDS) {
      const answer = [t, 0.4, 0.3]
        .map((at) => resizeThreshold(mean, width, height, at))
        .find((m) => m.data.some((v) => v));
      const dice = diceOf(overlap(answer?.data ?? new Uint8Array(width * height), target));
      scores[`${name}@${t}`] = (scores[`${name}@${t}`] ?? 0) + dice;
    }
  }
  if ((k + 1) % 20 === 0) process.stderr.write(`${k + 1}/${sources.length}\n`);
}
const table = Object.fromEntries(
  Object.entries(sums).map(([g, s]) => [
    g,
    Object.fromEntries(Object.entries(s).map(([k, v]) => [k, +(v / (counts[g as Group] as number)).toFixed(4)])),
  ]),
);
console.log(JSON.stringify(table, null, 1));

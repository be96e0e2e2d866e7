// Probe: what does the zoomed look at the part of the film a prompt names (zoom-pass.ts) add? For each val
// film of a group: the first answer's map (segment() without the look), the zoom model's map on the named
// box (as zoomLook decodes it), then the answer scored with the look blended in at several weights
// (zoomedMap; 0: the first answer alone) and cut as segment() cuts it (maskCut at LESION_CUT, or each of
// CUTS). Both maps are cached (the costly part), so weights and cuts are tried in seconds.
// Usage: npx tsx tools/zoom-probe.ts [model dir] [group btxrd] [zoom model dir: the model's own zoom/;
//   none: the first answers alone] [zoom views 7] [every k-th film: 1]
// FIRST_CACHE=<folder> keeps the first answers (made with lesionCut 1; caches from before the film gate
// are gated here), ZOOM_CACHE=<folder> the zoom model's maps; CUTS=0.2,0.25 and WEIGHTS=0,0.5,1 the grid;
// PER_IMAGE=<file.jsonl> each film's Dice at ZOOM_WEIGHT and LESION_CUT, with and without the look.
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Plane, resizeThreshold, thresholdMap } from '../src/main/data/resample';
import { type Group, listSamples, loadSample } from '../src/main/data/samples';
import { mean } from '../src/main/metrics/average';
import { diceOf, overlap } from '../src/main/metrics/segmentation';
import { cellWindow, filmCell } from '../src/main/model/film-region';
import { gated } from '../src/main/model/lung-gate';
import { loadModel } from '../src/main/model/model-files';
import { LESION_CUT, maskCut, segment } from '../src/main/model/segment';
import { TEST_TIME_VIEWS } from '../src/main/model/test-time-views';
import { ZOOM_WEIGHT, zoomBoxFor, zoomedMap, zoomInput } from '../src/main/model/zoom-pass';

const [modelDir = 'models/base', group = 'btxrd', zoomDir, zoomViewsArg, everyArg] = process.argv.slice(2);
const model = await loadModel(modelDir, 2);
const zoomModel = zoomDir === 'none' ? undefined : zoomDir ? await loadModel(zoomDir, 2) : model.zoom;
const zoomViews = TEST_TIME_VIEWS.slice(0, Number(zoomViewsArg ?? TEST_TIME_VIEWS.length));
const every = Number(everyArg ?? 1);
const sources = (await listSamples('../shared/data', 'val', { groups: [group as Group] })).filter(
  (_, i) => i % every === 0,
);
const list = (v: string | undefined, fallback: number[]) => (v ? v.split(',').map(Number) : fallback);
const cuts = list(process.env.CUTS, [LESION_CUT]);
const weights = list(process.env.WEIGHTS, [0, 0.25, 0.5, 0.75, 1]);

/** A map cached as raw float32 (square), made by `run` when the cache lacks it. */
async function cachedMap(
  folder: string | undefined,
  id: string,
  run: () => Promise<{ map: Plane<Float32Array>; threshold: number }>,
): Promise<{ map: Plane<Float32Array>; threshold: number }> {
  const file = folder ? join(folder, id.replaceAll('/', '_')) : null;
  if (file && existsSync(`${file}.f32`)) {
    const bytes = await readFile(`${file}.f32`);
    const data = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const side = Math.sqrt(data.length);
    const { threshold } = JSON.parse(await readFile(`${file}.json`, 'utf8'));
    return { map: { width: side, height: side, data }, threshold };
  }
  const made = await run();
  if (file) {
    await mkdir(folder as string, { recursive: true });
    await writeFile(`${file}.f32`, made.map.data);
    await writeFile(`${file}.json`, JSON.stringify({ threshold: made.threshold }));
  }
  return made;
}

const decoded = async (p: Promise<{ probability: Plane<Float32Array> | null; threshold: number | null }>) => {
  const r = await p;
  if (!r.probability || r.threshold === null) throw new Error(`${modelDir}: the probe needs the expected rule`);
  return { map: r.probability, threshold: r.threshold };
};
type Item = { text: string; target: Uint8Array; size: { width: number; height: number } };
const items: (Item & { first: Plane<Float32Array>; threshold: number; zoomed: Plane<Float32Array> | null })[] = [];
const started = performance.now();
for (const [k, source] of sources.entries()) {
  const sample = await loadSample(source);
  const size = { width: sample.sourceMask.width, height: sample.sourceMask.height };
  const first = await cachedMap(process.env.FIRST_CACHE, source.id, () =>
    decoded(segment(model, sample.image, sample.text, size, { zoom: false, lesionCut: 1 })),
  );
  const cell = filmCell(sample.text);
  const map = cell ? gated(first.map, cellWindow(cell, first.map.width, first.map.height)) : first.map;
  const box = zoomModel ? zoomBoxFor(sample.text, size) : null;
  const zoomed =
    box && zoomModel
      ? await cachedMap(process.env.ZOOM_CACHE, source.id, () =>
          decoded(
            segment(zoomModel, zoomInput(sample.film, box), sample.text, box, {
              views: zoomViews,
              rule: 'expected',
              gate: false,
              fallback: [],
              zoom: false,
            }),
          ),
        )
      : null;
  items.push({
    text: sample.text,
    target: sample.sourceMask.data,
    size,
    first: map,
    threshold: first.threshold,
    zoomed: zoomed?.map ?? null,
  });
  if ((k + 1) % 20 === 0)
    process.stderr.write(`${k + 1}/${sources.length} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
}

/** Each film's Dice with the look blended in at `weight` (0: none), cut at `lesionCut` as segment() cuts. */
function dices(weight: number, lesionCut: number): number[] {
  return items.map((it) => {
    const box = zoomBoxFor(it.text, it.size);
    const map = box && it.zoomed && weight > 0 ? zoomedMap(it.first, it.zoomed, box, it.size, weight) : null;
    const cut = maskCut(it.text, it.threshold, (map ?? it.first).data, lesionCut);
    const mask = map ? thresholdMap(map, cut) : resizeThreshold(it.first, it.size.width, it.size.height, cut);
    return diceOf(overlap(mask.data, it.target));
  });
}
const grid: Record<string, number> = {};
for (const cut of cuts) for (const w of weights) grid[`w${w}@${cut}`] = Number(mean(dices(w, cut)).toFixed(4));
if (process.env.PER_IMAGE) {
  const out = createWriteStream(process.env.PER_IMAGE);
  const [first, look] = [dices(0, LESION_CUT), dices(ZOOM_WEIGHT, LESION_CUT)];
  for (const [i, s] of sources.entries())
    out.write(`${JSON.stringify({ id: s.id, first: first[i], zoomed: look[i] })}\n`);
  out.end();
}
console.log(
  JSON.stringify({
    model: modelDir,
    zoomModel: zoomModel ? (zoomDir ?? `${modelDir}/zoom`) : null,
    zoomViews: zoomViews.length,
    n: items.length,
    ...grid,
  }),
);

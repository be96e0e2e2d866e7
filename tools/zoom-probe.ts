// Probe: does a second, zoomed look around a small first answer help? For each val image of a group: the
// first answer (segment() without the zoomed look); then the zoomed look (segment.ts zoomLook: when the
// answer covers under maxShare of the film, the zoom model answers on a square of the film ZOOM_FACTOR × the
// answer's extent around it, and its answer replaces the first inside the square); score the first answer,
// the zoomed one, and their union. Session 7, with the base model as the zoom model (never trained on
// zoomed crops): 0.224 / 0.169 / 0.226 on btxrd; session 10's zoom model: docs/MODEL.md "Zoomed second look".
// FIRST_CACHE=<folder> keeps the first answers (the costly part) between probes of the zoomed look: cut at
// their decoding threshold, then cut here as segment() does (maskCut; LESION_CUT=<p> overrides its default).
// Usage: npx tsx tools/zoom-probe.ts [model dir] [maxShare 0.04] [group btxrd] [zoom model dir: the model's
//   own zoom/; none: the first answers alone] [zoom views 7] [limit: every k-th film, about this many]
// ZOOM_CUT=<p>: where the zoom model's own map is cut (default: where the first answer was).
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { resizeThreshold } from '../src/main/data/resample';
import { type Group, listSamples, loadSample } from '../src/main/data/samples';
import { diceOf, overlap } from '../src/main/metrics/segmentation';
import { loadModel } from '../src/main/model/model-files';
import { LESION_CUT, maskCut, type Segmentation, segment, zoomLook } from '../src/main/model/segment';
import { TEST_TIME_VIEWS } from '../src/main/model/test-time-views';

const [modelDir = 'models/base', shareArg = '0.04', group = 'btxrd', zoomDir, zoomViewsArg, limitArg] =
  process.argv.slice(2);
const maxShare = Number(shareArg);
const model = await loadModel(modelDir, 2);
const zoomModel = zoomDir ? await loadModel(zoomDir, 2) : model.zoom;
const zoomViews = TEST_TIME_VIEWS.slice(0, Number(zoomViewsArg ?? TEST_TIME_VIEWS.length));
const all = await listSamples('../shared/data', 'val', { groups: [group as Group] });
// Every k-th film when limited, so a short probe still spans the list.
const step = limitArg ? Math.max(1, Math.floor(all.length / Number(limitArg))) : 1;
const sources = all.filter((_, i) => i % step === 0).slice(0, limitArg ? Number(limitArg) : undefined);
const cache = process.env.FIRST_CACHE;
const lesionCut = Number(process.env.LESION_CUT ?? LESION_CUT);
type First = Pick<Segmentation, 'mask' | 'probability' | 'threshold'>;
/** The first answer, from the cache when it has it: mask and threshold as JSON, the map as raw float32. */
async function firstAnswer(id: string, run: () => Promise<First>): Promise<First> {
  const file = cache ? join(cache, id.replaceAll('/', '_')) : null;
  if (file && existsSync(`${file}.json`)) {
    const { width, height, on, threshold } = JSON.parse(await readFile(`${file}.json`, 'utf8'));
    const data = new Uint8Array(width * height);
    for (const i of on as number[]) data[i] = 1;
    const bytes = await readFile(`${file}.f32`);
    const map = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const side = Math.sqrt(map.length);
    return { mask: { width, height, data }, threshold, probability: { width: side, height: side, data: map } };
  }
  const answer = await run();
  if (file && answer.probability) {
    await mkdir(dirname(file), { recursive: true });
    const on = Array.from(answer.mask.data).flatMap((v, i) => (v ? [i] : []));
    const { width, height } = answer.mask;
    await writeFile(`${file}.f32`, answer.probability.data);
    await writeFile(`${file}.json`, JSON.stringify({ width, height, on, threshold: answer.threshold }));
  }
  return answer;
}
// PER_IMAGE=<file.jsonl>: each film's three scores and the window its zoomed answer came from.
const perImage = process.env.PER_IMAGE ? createWriteStream(process.env.PER_IMAGE) : null;
const sums = { first: 0, zoom: 0, union: 0, zoomed: 0 };
for (const [k, source] of sources.entries()) {
  const sample = await loadSample(source);
  const target = sample.sourceMask.data;
  const cached = await firstAnswer(source.id, () =>
    segment(model, sample.image, sample.text, sample.sourceMask, { zoom: false, lesionCut: 1 }),
  );
  const map = cached.probability?.data ?? [];
  const cut = cached.threshold === null ? null : maskCut(sample.text, cached.threshold, map, lesionCut);
  const first = {
    ...cached,
    cut,
    ...(cut !== cached.threshold && cached.probability
      ? { mask: resizeThreshold(cached.probability, cached.mask.width, cached.mask.height, cut as number) }
      : {}),
  };
  const d1 = diceOf(overlap(first.mask.data, target));
  let [dz, du] = [d1, d1];
  // Without a zoom model the probe scores the first answers alone (e.g. at LESION_CUT values, from the cache).
  const look =
    zoomModel &&
    (await zoomLook(zoomModel, sample.film, sample.text, first, {
      views: zoomViews,
      zoomBelow: maxShare,
      ...(process.env.ZOOM_CUT ? { zoomCut: Number(process.env.ZOOM_CUT) } : {}),
    }));
  if (look) {
    const union = look.mask.data.map((v, i) => v | (first.mask.data[i] as number));
    dz = diceOf(overlap(look.mask.data, target));
    du = diceOf(overlap(union, target));
    sums.zoomed++;
  }
  perImage?.write(
    `${JSON.stringify({ id: source.id, first: d1, zoom: dz, union: du, window: look?.window ?? null })}\n`,
  );
  sums.first += d1;
  sums.zoom += dz;
  sums.union += du;
  if ((k + 1) % 40 === 0) process.stderr.write(`${k + 1}/${sources.length}\n`);
}
perImage?.end();
const n = sources.length;
const mean = (v: number) => v / n;
console.log(
  JSON.stringify({
    maxShare,
    lesionCut,
    zoomCut: process.env.ZOOM_CUT ?? 'as first',
    zoomModel: zoomModel ? (zoomDir ?? `${modelDir}/zoom`) : null,
    zoomViews: zoomViews.length,
    n,
    zoomed: sums.zoomed,
    first: mean(sums.first),
    zoom: mean(sums.zoom),
    union: mean(sums.union),
  }),
);

// Probe (session 7): does a second, zoomed pass around a small first answer help? For each val image of a
// group: segment; if the answer covers under maxShare of the film, segment again a square crop of the source
// film (factor × the answer's extent, at least a quarter of the short side) with the same prompt; score the
// first answer, the zoomed one in its place, and their union. Session 7, shipped model, btxrd: 0.224 / 0.169 /
// 0.226 (the model had never seen zoomed crops; `nextmask tokens --zoom` makes training draws for that).
// Usage: npx tsx tools/zoom-probe.ts [model dir] [factor 3] [maxShare 0.04] [group btxrd]
import { type Group, listSamples, loadSample, modelInput } from '../src/main/data/samples';
import { cropWindow, foregroundBounds } from '../src/main/data/zoom';
import { readRaster } from '../src/main/imaging/raster';
import { diceOf, overlap } from '../src/main/metrics/segmentation';
import { loadModel } from '../src/main/model/model-files';
import { segment } from '../src/main/model/segment';

const [modelDir = 'models/base', factorArg = '3', shareArg = '0.04', group = 'btxrd'] = process.argv.slice(2);
const factor = Number(factorArg);
const maxShare = Number(shareArg);
const model = await loadModel(modelDir, 2);
const sources = await listSamples('../shared/data', 'val', { groups: [group as Group] });
const sums = { first: 0, zoom: 0, union: 0, zoomed: 0 };
for (const [k, source] of sources.entries()) {
  const sample = await loadSample(source);
  const { width: W, height: H, data: target } = sample.sourceMask;
  const first = await segment(model, sample.image, sample.text, sample.sourceMask);
  const d1 = diceOf(overlap(first.mask.data, target));
  let [dz, du] = [d1, d1];
  const box = foregroundBounds(first.mask);
  const area = first.mask.data.reduce((a, b) => a + b, 0);
  if (box && area < maxShare * W * H) {
    const short = Math.min(W, H);
    const extent = Math.max(box.x1 - box.x0 + 1, box.y1 - box.y0 + 1);
    const side = Math.min(short, Math.max(Math.round(extent * factor), Math.round(short / 4)));
    const clamp = (c: number, size: number) => Math.max(0, Math.min(size - side, Math.round(c - side / 2)));
    const win = { x: clamp((box.x0 + box.x1) / 2, W), y: clamp((box.y0 + box.y1) / 2, H), side };
    const crop = cropWindow(await readRaster(source.imagePath), win);
    const zoom = await segment(model, modelInput(crop), sample.text, { width: side, height: side });
    const zoomed = new Uint8Array(W * H);
    const union = Uint8Array.from(first.mask.data);
    zoom.mask.data.forEach((v, i) => {
      if (!v) return;
      const at = (win.y + Math.floor(i / side)) * W + win.x + (i % side);
      zoomed[at] = 1;
      union[at] = 1;
    });
    dz = zoomed.some((v) => v) ? diceOf(overlap(zoomed, target)) : d1;
    du = diceOf(overlap(union, target));
    sums.zoomed++;
  }
  sums.first += d1;
  sums.zoom += dz;
  sums.union += du;
  if ((k + 1) % 40 === 0) process.stderr.write(`${k + 1}/${sources.length}\n`);
}
const n = sources.length;
const mean = (v: number) => v / n;
console.log(
  JSON.stringify({
    factor,
    maxShare,
    n,
    zoomed: sums.zoomed,
    first: mean(sums.first),
    zoom: mean(sums.zoom),
    union: mean(sums.union),
  }),
);

// Viewer timings on the shared test data: opening the 20-slice MR series (scan, parse,
// group, sort) and decoding the 1955x1841 JPEG 2000 chest radiograph. Prints a table, then
// one JSON line: {"openSeriesMs": …, "decodeJ2kMs": …} (medians; the first J2K decode,
// which also loads the codec, is reported apart).
import { readFileSync } from 'node:fs';
import { decodeFrame } from '../src/main/dicom/decode-frame';
import { ImageLibrary } from '../src/main/dicom/library';
import { parseInstance } from '../src/main/dicom/parse';
import { sharedPath } from '../src/main/testing/shared-data';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const mrDir = sharedPath('dicom', 'mr-brain-series');
const j2kPath = sharedPath('dicom', 'chest-xray', 'RG1_J2KI.dcm');

async function openSeries(): Promise<void> {
  const { series, errors } = await new ImageLibrary().open([mrDir]);
  if (errors.length || series[0]?.frameCount !== 20) throw new Error('MR series did not open as 20 slices');
}

async function openAndShowFirst(): Promise<void> {
  const library = new ImageLibrary();
  const { series } = await library.open([mrDir]);
  await library.frame(series[0]!.id, 0);
}

async function decodeJ2k(): Promise<void> {
  const frame = await decodeFrame(parseInstance(readFileSync(j2kPath)), 0);
  if (frame.columns !== 1841) throw new Error('unexpected J2K size');
}

const firstJ2k = await time(decodeJ2k);
const open: number[] = [];
const openFirst: number[] = [];
const j2k: number[] = [];
for (let i = 0; i < RUNS; i++) {
  open.push(await time(openSeries));
  openFirst.push(await time(openAndShowFirst));
  j2k.push(await time(decodeJ2k));
}

const rows = [
  ['open MR series (20 files)', median(open)],
  ['open MR series + first frame', median(openFirst)],
  ['decode RG1_J2KI.dcm (codec loaded)', median(j2k)],
  ['decode RG1_J2KI.dcm (first, loads codec)', firstJ2k],
] as const;
console.log(`viewer bench, ${RUNS} runs, medians, node ${process.version}`);
for (const [name, ms] of rows) console.log(`${name.padEnd(42)} ${ms.toFixed(1).padStart(8)} ms`);
console.log(
  JSON.stringify({ openSeriesMs: Number(median(open).toFixed(1)), decodeJ2kMs: Number(median(j2k).toFixed(1)) }),
);

// Viewer timings on the shared test data: opening the 20-slice MR series (scan, parse,
// group, sort) and decoding the 1955x1841 JPEG 2000 chest radiograph, in a decode worker as
// the app does (decodeJ2kMs) and, for comparison, in this thread. Also the longest stall of
// this thread's timers while the worker decodes. Prints a table, then one JSON line:
// {"openSeriesMs": …, "decodeJ2kMs": …} (medians; first decodes reported apart).
import { readFileSync } from 'node:fs';
import { FrameDecoder } from '../src/main/dicom/decode-client';
import { decodeFrame } from '../src/main/dicom/decode-frame';
import { ImageLibrary } from '../src/main/dicom/library';
import { parseInstance } from '../src/main/dicom/parse';
import { sharedPath } from '../src/main/testing/shared-data';
import { timerGaps } from '../src/main/testing/timer-gaps';

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
  await library.close();
}

async function decodeJ2kHere(): Promise<void> {
  const frame = await decodeFrame(await parseInstance(readFileSync(j2kPath)), 0);
  if (frame.columns !== 1841) throw new Error('unexpected J2K size');
}

// The worker keeps the parsed file (as it does for a scrolled multi-frame file); the frame
// cache lives in ImageLibrary, which this bypasses, so every call decodes.
const decoder = new FrameDecoder(1);
async function decodeJ2kInWorker(): Promise<void> {
  const frame = await decoder.decode({ path: j2kPath, frame: 0, raster: false });
  if (frame.columns !== 1841) throw new Error('unexpected J2K size');
}

const firstJ2kWorker = await time(decodeJ2kInWorker);
const firstJ2kHere = await time(decodeJ2kHere);
const open: number[] = [];
const openFirst: number[] = [];
const j2k: number[] = [];
const j2kHere: number[] = [];
const stalls: number[] = [];
for (let i = 0; i < RUNS; i++) {
  open.push(await time(openSeries));
  openFirst.push(await time(openAndShowFirst));
  j2k.push(await time(decodeJ2kInWorker));
  j2kHere.push(await time(decodeJ2kHere));
  stalls.push(Math.max(...(await timerGaps(decodeJ2kInWorker))));
}
await decoder.close();

const rows = [
  ['open MR series (20 files)', median(open)],
  ['open MR series + first frame', median(openFirst)],
  ['decode RG1_J2KI.dcm in the worker', median(j2k)],
  ['  first (starts the worker, loads the codec)', firstJ2kWorker],
  ['  longest main-thread timer gap meanwhile', median(stalls)],
  ['decode RG1_J2KI.dcm in this thread (+ read, parse)', median(j2kHere)],
  ['  first (loads the codec)', firstJ2kHere],
] as const;
console.log(`viewer bench, ${RUNS} runs, medians, node ${process.version}`);
for (const [name, ms] of rows) console.log(`${name.padEnd(52)} ${ms.toFixed(1).padStart(8)} ms`);
console.log(
  JSON.stringify({ openSeriesMs: Number(median(open).toFixed(1)), decodeJ2kMs: Number(median(j2k).toFixed(1)) }),
);

// Where the benches keep their runs: each run's summary, with when, where and under what load it ran, as
// one JSON line of bench/results/<bench>.jsonl. docs/BENCHMARKS.md shows only the latest figures and the
// machine they came from.
import { appendFile, mkdir } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

const RESULTS = join(import.meta.dirname, 'results');

/** The machine in one line: CPU, cores, Node and onnxruntime-node versions. */
export function machineLine(): string {
  return `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; Node ${process.version}, onnxruntime-node ${ort.env.versions.node}`;
}

/** Appends one run to bench/results/<bench>.jsonl; `loadBefore` is the load average when it started. */
export async function recordRun(bench: string, command: string, loadBefore: number[], summary: object): Promise<void> {
  await mkdir(RESULTS, { recursive: true });
  const line = {
    time: new Date().toISOString(),
    command,
    machine: machineLine(),
    loadBefore: loadBefore.map((v) => Number(v.toFixed(1))),
    loadAfter: loadavg().map((v) => Number(v.toFixed(1))),
    ...summary,
  };
  await appendFile(join(RESULTS, `${bench}.jsonl`), `${JSON.stringify(line)}\n`);
}

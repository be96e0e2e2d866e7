// Training samples written once as tokens (a ".nmtok" file), so a trainer on another machine (the
// PyTorch port in tools/gpu-train, on a GPU box that cannot see ../shared/data) reads tokens, not films.
// Each source gets `variants` augmented draws (wording and affine/intensity, as training draws them);
// groupRepeat multiplies a group's draws instead of repeating identical ones.
//
// File: gzip of
//   "NMTOK001", uint32 LE header length H, H bytes of JSON (DumpHeader), then little-endian arrays:
//   image uint16 [N, 256, levels], text uint16 [N, promptTokens] (text, then the region slots), mask
//   uint16 [N, 256], with a region part prior uint8 [N, 256], then sample uint32 [N].
// With a region part each draw is also drawn as a kind of item (text, box, clicks; region-items.ts) as
// training draws it.
// All ids are combined ids (shared/tokens.ts); `sample` indexes header.samples (HET remembers per sample).
import { readFile, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { GRID_TOKENS, type TokenLayout } from '../../shared/tokens';
import { DEFAULT_REGION_MIX, drawRegionItem, type RegionMix } from '../data/region-items';
import { deriveSeed } from '../data/rng';
import { type Group, type GroupRepeat, loadSample, type SampleSource } from '../data/samples';
import { type Tokenizers, tokenizeSample } from '../segmenter/runtime/tokenizer-set';

export const DUMP_MAGIC = 'NMTOK001';

export interface DumpHeader {
  layout: TokenLayout;
  records: number;
  samples: { id: string; group: Group }[];
  seed: number;
}

export interface DumpOptions {
  variants: number;
  seed: number;
  groupRepeat?: GroupRepeat;
  /** Samples tokenized at once (the image encoder is async, decoding is not). */
  concurrency?: number;
  /** With a region part: how often each kind of item is drawn (default: as many of each). */
  region?: RegionMix;
  /** Keep only draws r with r % count === index, so several processes can share the work. */
  shard?: { index: number; count: number };
  progress?: (done: number, total: number) => void;
}

/** The (source, draw) pairs a dump holds, in file order. */
export function dumpPlan(sources: readonly SampleSource[], o: DumpOptions): { source: number; seed: number }[] {
  if (!Number.isInteger(o.variants) || o.variants < 1) throw new Error(`variants must be ≥ 1, got ${o.variants}`);
  const { index, count } = o.shard ?? { index: 0, count: 1 };
  if (!(Number.isInteger(count) && count >= 1 && Number.isInteger(index) && index >= 0 && index < count))
    throw new Error(`shard must be i/n with 0 ≤ i < n, got ${index}/${count}`);
  const all = sources.flatMap((s, i) =>
    Array.from({ length: o.variants * (o.groupRepeat?.[s.group] ?? 1) }, (_, v) => ({
      source: i,
      seed: deriveSeed(deriveSeed(o.seed, i), v),
    })),
  );
  return all.filter((_, r) => r % count === index);
}

export async function dumpTokens(
  path: string,
  sources: readonly SampleSource[],
  tokenizers: Tokenizers,
  layout: TokenLayout,
  o: DumpOptions,
): Promise<DumpHeader> {
  const plan = dumpPlan(sources, o);
  const workers = o.concurrency ?? 4;
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`concurrency must be ≥ 1, got ${o.concurrency}`);
  const n = plan.length;
  const L = layout.imageLevels;
  const image = new Uint16Array(n * GRID_TOKENS * L);
  const T = layout.promptTokens;
  const text = new Uint16Array(n * T);
  const mask = new Uint16Array(n * GRID_TOKENS);
  const prior = new Uint8Array(n * layout.priorTokens);
  const sample = new Uint32Array(n);
  let next = 0;
  let done = 0;
  const worker = async () => {
    for (let r = next++; r < n; r = next++) {
      const { source, seed } = plan[r] as { source: number; seed: number };
      const loaded = await loadSample(sources[source] as SampleSource, { seed });
      const item =
        layout.regionSlots > 0
          ? drawRegionItem(loaded, o.region ?? DEFAULT_REGION_MIX, seed, layout.regionClicks ?? 0)
          : loaded;
      const t = await tokenizeSample(tokenizers, layout, item);
      image.set(t.image, r * GRID_TOKENS * L);
      text.set(t.text, r * T);
      mask.set(t.mask, r * GRID_TOKENS);
      prior.set(t.prior, r * layout.priorTokens);
      sample[r] = source;
      o.progress?.(++done, n);
    }
  };
  await Promise.all(Array.from({ length: workers }, worker));
  const header: DumpHeader = {
    layout,
    records: n,
    samples: sources.map((s) => ({ id: s.id, group: s.group })),
    seed: o.seed,
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  const bytes = (a: Uint8Array | Uint16Array | Uint32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const raw = Buffer.concat([
    Buffer.from(DUMP_MAGIC),
    length,
    json,
    bytes(image),
    bytes(text),
    bytes(mask),
    bytes(prior),
    bytes(sample),
  ]);
  await writeFile(path, await promisify(gzip)(raw));
  return header;
}

export interface TokenDump {
  header: DumpHeader;
  image: Uint16Array;
  /** Text then region ids, promptTokens per record. */
  text: Uint16Array;
  mask: Uint16Array;
  /** The prior's levels, priorTokens per record (empty without a region part). */
  prior: Uint8Array;
  sample: Uint32Array;
}

export async function readTokenDump(path: string): Promise<TokenDump> {
  const raw = await promisify(gunzip)(await readFile(path));
  if (raw.toString('latin1', 0, 8) !== DUMP_MAGIC) throw new Error(`${path}: not a NextMask token dump`);
  const length = raw.readUInt32LE(8);
  const header = JSON.parse(raw.toString('utf8', 12, 12 + length)) as DumpHeader;
  const n = header.records;
  let at = 12 + length;
  // Copy each array out, so it starts on an aligned offset of its own buffer.
  const take = <T extends Uint8Array | Uint16Array | Uint32Array>(make: (b: ArrayBuffer) => T, bytes: number): T => {
    if (at + bytes > raw.length) throw new Error(`${path}: truncated (${header.records} records announced)`);
    const out = make(raw.buffer.slice(raw.byteOffset + at, raw.byteOffset + at + bytes));
    at += bytes;
    return out;
  };
  const image = take((b) => new Uint16Array(b), n * GRID_TOKENS * header.layout.imageLevels * 2);
  // Dumps written before the region part carry no promptTokens/priorTokens: text only.
  const { promptTokens = header.layout.maxText, priorTokens = 0 } = header.layout;
  const text = take((b) => new Uint16Array(b), n * promptTokens * 2);
  const mask = take((b) => new Uint16Array(b), n * GRID_TOKENS * 2);
  const prior = take((b) => new Uint8Array(b), n * priorTokens);
  const sample = take((b) => new Uint32Array(b), n * 4);
  if (at !== raw.length) throw new Error(`${path}: ${raw.length - at} bytes after the arrays (truncated or corrupt)`);
  return { header, image, text, mask, prior, sample };
}

// The fuzz suite's inputs: seeded corrupted copies of the shared DICOM files, of a NIfTI label
// volume and of a DICOM SEG, each with what was done to it. Same seed, same cases.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createMask } from '../../../shared/labelmap/mask';
import { createRng, type Rng } from '../../data/rng';
import { encodeNifti } from '../../io/nifti';
import { deflatedDicomBomb, gzipBomb } from '../bombs';
import { deflateFile, editElement } from '../dicom-edit';
import { SHARED_DICOM } from '../shared-data';

export type CaseKind = 'dicom' | 'nifti' | 'seg';

export interface FuzzCase {
  name: string;
  kind: CaseKind;
  bytes: Uint8Array;
}

const SYNTAXES = [
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.2',
  '1.2.840.10008.1.2.1.99',
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.5',
  '1.2.3.4.5',
];
const FRAME_COUNTS = ['0', '-1', '2', '97', '20001', '10000000', '2147483647', '4294967296', 'abc', '1e9'];
const US_VALUES = [0, 1, 2, 3, 7, 8, 12, 16, 17, 24, 32, 33, 64, 255, 4096, 65535];
const TAGS_US = [0x00280002, 0x00280010, 0x00280011, 0x00280100, 0x00280101, 0x00280102, 0x00280103, 0x00280006];

function dicomFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return dicomFiles(path);
    return path.endsWith('.dcm') ? [path] : [];
  });
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng.next() * items.length)] as T;
const int = (rng: Rng, lo: number, hi: number) => lo + Math.floor(rng.next() * (hi - lo + 1));

function truncate(rng: Rng, bytes: Uint8Array): [string, Uint8Array] {
  const at = int(rng, 0, bytes.length - 1);
  return [`truncated at ${at}`, bytes.slice(0, at)];
}

function flip(rng: Rng, bytes: Uint8Array): [string, Uint8Array] {
  const out = bytes.slice();
  const n = int(rng, 1, 32);
  // Mostly in the header, where a flip changes meaning rather than a pixel.
  for (let i = 0; i < n; i++) {
    const at = rng.next() < 0.7 ? int(rng, 0, Math.min(out.length - 1, 4096)) : int(rng, 0, out.length - 1);
    out[at] = (out[at] as number) ^ (1 << int(rng, 0, 7));
  }
  return [`${n} bits flipped`, out];
}

/** A 2- or 4-byte little-endian length field somewhere in the first 4 KiB set to a large value. */
function bogusLength(rng: Rng, bytes: Uint8Array): [string, Uint8Array] {
  const out = bytes.slice();
  const at = int(rng, 132, Math.min(out.length - 4, 4096));
  const view = new DataView(out.buffer);
  const value = pick(rng, [0xffffffff, 0x7fffffff, 0xfffffffe, out.length, out.length * 2, 0xffff]);
  view.setUint32(at, value >>> 0, true);
  return [`length ${value} at ${at}`, out];
}

function dicomCase(rng: Rng, bytes: Uint8Array): [string, Uint8Array] {
  const edit = (tag: number, vr: string, value: string | number) => editElement(bytes, tag, vr, value);
  switch (int(rng, 0, 6)) {
    case 0:
      return truncate(rng, bytes);
    case 1:
      return flip(rng, bytes);
    case 2:
      return bogusLength(rng, bytes);
    case 3: {
      const tag = pick(rng, TAGS_US);
      const value = pick(rng, US_VALUES);
      return [`(${tag.toString(16)}) = ${value}`, edit(tag, 'US', value)];
    }
    case 4: {
      const frames = pick(rng, FRAME_COUNTS);
      return [`NumberOfFrames ${frames}`, edit(0x00280008, 'IS', frames)];
    }
    case 5: {
      const syntax = pick(rng, SYNTAXES);
      return [`transfer syntax ${syntax}`, edit(0x00020010, 'UI', syntax)];
    }
    default: {
      // Two edits at once: a frame count with an image size.
      const frames = pick(rng, FRAME_COUNTS);
      const rows = pick(rng, US_VALUES);
      return [
        `NumberOfFrames ${frames}, Rows ${rows}`,
        editElement(edit(0x00280008, 'IS', frames), 0x00280010, 'US', rows),
      ];
    }
  }
}

function niftiCase(rng: Rng, base: Buffer): [string, Uint8Array] {
  const raw = gunzipSync(base);
  const set16 = (at: number, value: number) => {
    const out = Buffer.from(raw);
    out.writeInt16LE(value, at);
    return gzipSync(out);
  };
  switch (int(rng, 0, 5)) {
    case 0:
      return truncate(rng, base);
    case 1: {
      const [what, flipped] = flip(rng, raw);
      return [`${what} (inside the gzip)`, gzipSync(flipped)];
    }
    case 2: {
      const dim = int(rng, 40, 48);
      const value = pick(rng, [-1, 0, 1, 2, 32767, -32768, 7]);
      return [`dim at ${dim} = ${value}`, set16(dim & ~1, value)];
    }
    case 3: {
      const datatype = pick(rng, [0, 1, 2, 4, 8, 16, 64, 128, 256, 512, 768, 1024, 2048, 32767]);
      return [`datatype ${datatype}`, set16(70, datatype)];
    }
    case 4: {
      const out = Buffer.from(raw);
      const offset = pick(rng, [0, -1, 1e9, 348, 351, Number.NaN, 1e30]);
      out.writeFloatLE(offset, 108);
      return [`vox_offset ${offset}`, gzipSync(out)];
    }
    default:
      return ['uncompressed, truncated', raw.subarray(0, int(rng, 0, raw.length - 1))];
  }
}

/** `count` cases under `seed`: about 70% DICOM, 15% NIfTI, 15% SEG, plus a few bombs of each kind. */
export function fuzzCases(seed: number, count: number): FuzzCase[] {
  const rng = createRng(seed);
  const files = dicomFiles(SHARED_DICOM);
  const bytesOf = new Map(files.map((f) => [f, readFileSync(f)]));
  const seg = readFileSync(join(SHARED_DICOM, 'ct-3slice-with-seg', 'seg-liver.dcm'));
  const masks = [0, 1, 2].map(() => createMask(512, 512));
  masks[1]?.data.fill(1, 512 * 200, 512 * 260);
  const nifti = encodeNifti([masks], { spacing: [1, 1, 1] });
  const deflated = bytesOf.get(join(SHARED_DICOM, 'transfer-syntaxes', 'deflated.dcm')) as Buffer;
  const cases: FuzzCase[] = [
    { name: 'deflated DICOM bomb (4 GiB)', kind: 'dicom', bytes: deflatedDicomBomb(deflated, 4 * 2 ** 30) },
    { name: 'deflated DICOM bomb (600 MiB)', kind: 'dicom', bytes: deflatedDicomBomb(deflated, 600 * 2 ** 20) },
    { name: 'nii.gz bomb (2 GiB)', kind: 'nifti', bytes: gzipBomb(2 * 2 ** 30) },
    { name: 'deflated SEG bomb (4 GiB)', kind: 'seg', bytes: deflatedDicomBomb(deflateFile(seg), 4 * 2 ** 30) },
    { name: 'empty file', kind: 'dicom', bytes: new Uint8Array(0) },
  ];
  while (cases.length < count) {
    const roll = rng.next();
    try {
      if (roll < 0.7) {
        const file = pick(rng, files);
        const [what, bytes] = dicomCase(rng, bytesOf.get(file) as Buffer);
        cases.push({ name: `${relative(SHARED_DICOM, file)}: ${what}`, kind: 'dicom', bytes });
      } else if (roll < 0.85) {
        const [what, bytes] = niftiCase(rng, nifti);
        cases.push({ name: `labels.nii.gz: ${what}`, kind: 'nifti', bytes });
      } else {
        const [what, bytes] = rng.next() < 0.5 ? dicomCase(rng, seg) : flip(rng, seg);
        cases.push({ name: `seg-liver.dcm: ${what}`, kind: 'seg', bytes });
      }
    } catch {
      // The edit itself could not be made on this file (e.g. a big-endian one): draw again.
    }
  }
  return cases;
}

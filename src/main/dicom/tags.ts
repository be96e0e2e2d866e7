// A data set as rows for the tag panel: tag, VR, keyword (dcmjs's dictionary) and a short
// printable value. Top-level elements only; sequences show their item count.
import type { DataSet, Element } from 'dicom-parser';
import type { TagRow } from '../../shared/viewer-types';
import { requireCjs } from './cjs';

type Dictionary = Record<string, { name: string; vr: string } | undefined>;
let dictionary: Dictionary | undefined;

function lookup(tag: string): { name: string; vr: string } | undefined {
  dictionary ??= (requireCjs('dcmjs') as { data: { DicomMetaDictionary: { dictionary: Dictionary } } }).data
    .DicomMetaDictionary.dictionary;
  return dictionary[tag];
}

const STRING_VRS = new Set([
  'AE',
  'AS',
  'CS',
  'DA',
  'DS',
  'DT',
  'IS',
  'LO',
  'LT',
  'PN',
  'SH',
  'ST',
  'TM',
  'UC',
  'UI',
  'UR',
  'UT',
]);
const MAX_VALUE = 200;

function numbersOf(el: Element, read: (i: number) => number | undefined, size: number): string {
  const count = Math.min(Math.floor(el.length / size), 16);
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(String(read(i)));
  return out.join('\\') + (el.length / size > count ? '\\…' : '');
}

function printable(ds: DataSet, key: string, el: Element, vr: string): string {
  if (el.items) return `(${el.items.length} item${el.items.length === 1 ? '' : 's'})`;
  if (el.encapsulatedPixelData) return `(compressed, ${el.fragments?.length ?? 0} fragments)`;
  switch (vr) {
    case 'US':
      return numbersOf(el, (i) => ds.uint16(key, i), 2);
    case 'SS':
      return numbersOf(el, (i) => ds.int16(key, i), 2);
    case 'UL':
      return numbersOf(el, (i) => ds.uint32(key, i), 4);
    case 'SL':
      return numbersOf(el, (i) => ds.int32(key, i), 4);
    case 'FL':
      return numbersOf(el, (i) => ds.float(key, i), 4);
    case 'FD':
      return numbersOf(el, (i) => ds.double(key, i), 8);
  }
  if (STRING_VRS.has(vr)) {
    const text = ds.string(key) ?? '';
    return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
  }
  return `(${el.length} bytes)`;
}

export function listTags(ds: DataSet): TagRow[] {
  return Object.keys(ds.elements)
    .sort()
    .map((key) => {
      const el = ds.elements[key] as Element;
      const tag = `(${key.slice(1, 5)},${key.slice(5, 9)})`.toUpperCase();
      const known = lookup(tag);
      const group = Number.parseInt(key.slice(1, 5), 16);
      // Implicit VR files carry no VR; take the dictionary's (pixel data is "ox" there).
      const vr = el.vr ?? (known?.vr && known.vr.length === 2 && known.vr !== 'ox' ? known.vr : 'UN');
      const name = known?.name ?? (group % 2 === 1 ? 'Private' : 'Unknown');
      return { tag, vr, name, value: printable(ds, key, el, vr) };
    });
}

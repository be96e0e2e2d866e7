// Byte-level edits of a little-endian DICOM file for tests and the fuzz suite: set, add or drop one
// top-level element, keeping every other byte as it was (a re-encoding library would repair the very
// damage the tests need).
import { deflateRawSync } from 'node:zlib';
import type { DataSet, Element } from 'dicom-parser';
import { requireCjs } from '../dicom/cjs';
import { DEFLATED } from '../dicom/uids';

const dicomParser = requireCjs('dicom-parser') as typeof import('dicom-parser');

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'UC', 'UN', 'UR', 'UT', 'SV', 'UV']);

/** "x00280008" for 0x00280008. */
export function tagKey(tag: number): string {
  return `x${tag.toString(16).padStart(8, '0')}`;
}

function elementStart(element: Element, explicit: boolean): number {
  if (!explicit) return element.dataOffset - 8;
  return element.dataOffset - (element.vr && LONG_VRS.has(element.vr) ? 12 : 8);
}

function u16(n: number): number[] {
  return [n & 0xff, (n >> 8) & 0xff];
}

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** A short-VR value: strings padded to even length (UI with NUL), US as two bytes. */
export function encodeValue(vr: string, value: string | number): Uint8Array {
  if (vr === 'US') return Uint8Array.from(u16(value as number));
  if (vr === 'UL') return Uint8Array.from(u32(value as number));
  let text = String(value);
  if (text.length % 2) text += vr === 'UI' ? '\0' : ' ';
  return Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
}

function isExplicit(ds: DataSet, tag: number): boolean {
  if (tag >>> 16 === 0x0002) return true;
  return (ds.string('x00020010') ?? '').trim() !== '1.2.840.10008.1.2';
}

/**
 * Sets (or with `value` undefined, removes) a top-level element of a little-endian file. A new
 * element is inserted in tag order; a meta-header edit keeps (0002,0000) group length right.
 */
export function editElement(
  bytes: Uint8Array,
  tag: number,
  vr: string,
  value: string | number | Uint8Array | undefined,
): Uint8Array {
  const ds = dicomParser.parseDicom(bytes, { untilTag: 'x7fe00010' } as never);
  const explicit = isExplicit(ds, tag);
  const existing = ds.elements[tagKey(tag)];
  let start: number;
  let end: number;
  if (existing) {
    start = elementStart(existing, explicit);
    end = existing.dataOffset + existing.length;
  } else {
    const after = Object.values(ds.elements)
      .filter((e) => Number.parseInt(e.tag.slice(1), 16) > tag && (tag >>> 16 !== 2 || e.tag.startsWith('x0002')))
      .sort((a, b) => a.dataOffset - b.dataOffset)[0];
    const group2 = Object.values(ds.elements).filter((e) => e.tag.startsWith('x0002'));
    const fallback = tag >>> 16 === 2 ? group2.at(-1) : undefined;
    start = after
      ? elementStart(after, isExplicit(ds, Number.parseInt(after.tag.slice(1), 16)))
      : fallback
        ? fallback.dataOffset + fallback.length
        : bytes.length;
    end = start;
  }
  let encoded: Uint8Array = new Uint8Array(0);
  if (value !== undefined) {
    const data = value instanceof Uint8Array ? value : encodeValue(vr, value);
    const head = [...u16(tag >>> 16), ...u16(tag & 0xffff)];
    if (explicit && LONG_VRS.has(vr)) head.push(vr.charCodeAt(0), vr.charCodeAt(1), 0, 0, ...u32(data.length));
    else if (explicit) head.push(vr.charCodeAt(0), vr.charCodeAt(1), ...u16(data.length));
    else head.push(...u32(data.length));
    encoded = new Uint8Array(head.length + data.length);
    encoded.set(head, 0);
    encoded.set(data, head.length);
  }
  const out = new Uint8Array(bytes.length - (end - start) + encoded.length);
  out.set(bytes.subarray(0, start), 0);
  out.set(encoded, start);
  out.set(bytes.subarray(end), start + encoded.length);
  const groupLength = ds.elements.x00020000;
  if (tag >>> 16 === 2 && tag !== 0x00020000 && groupLength) {
    const view = new DataView(out.buffer, out.byteOffset);
    const old = view.getUint32(groupLength.dataOffset, true);
    view.setUint32(groupLength.dataOffset, old + encoded.length - (end - start), true);
  }
  return out;
}

/** An explicit little-endian Part 10 file re-encoded in the deflated transfer syntax. */
export function deflateFile(bytes: Uint8Array): Buffer {
  const relabelled = editElement(bytes, 0x00020010, 'UI', DEFLATED);
  const position = (dicomParser.readPart10Header(relabelled) as DataSet & { position: number }).position;
  return Buffer.concat([relabelled.subarray(0, position), deflateRawSync(relabelled.subarray(position))]);
}

import { describe, expect, it } from 'vitest';
import { argSchemas } from '../ipc';
import { ValidationError } from '../validate';
import { decodeWire, encodeWire } from '../wire';
import { createMask } from './mask';
import { framesFromChange, fromPayload, toChangePayload, toPayload } from './payload';
import type { Segment } from './segments';

function segment(): Segment {
  const masks = [createMask(5, 3), createMask(5, 3)];
  masks[1]!.data.set([1, 0, 1, 1], 6);
  return {
    id: 's1',
    name: 'Lesion',
    color: [1, 2, 3],
    visible: true,
    locked: false,
    opacity: 0.5,
    outline: true,
    source: 'ai',
    algorithm: 'NTP',
    prompt: 'p',
    masks,
  };
}

describe('masks channels', () => {
  it('a segment survives payload packing and the HTTP wire codec, and passes the save schema', () => {
    const step = { seriesId: '1', version: 0, order: ['s1'], changed: [toChangePayload(segment())], edits: [] };
    const args = argSchemas['masks:commit'].parse(decodeWire(encodeWire(step)));
    expect(args.changed[0]!.bits).toBeInstanceOf(Uint8Array);
    const back = framesFromChange(args.changed[0]!, { width: 5, height: 3 });
    expect([...back.keys()]).toEqual([0, 1]);
    expect([...back.get(1)!.data]).toEqual([...segment().masks[1]!.data]);
    expect(args.changed[0]).toMatchObject({ name: 'Lesion', color: [1, 2, 3], source: 'ai', outline: true });
  });

  it('a change carries only the frames asked for', () => {
    const change = toChangePayload(segment(), [1]);
    expect(change.frames).toEqual([1]);
    expect(change.bits.length).toBe(2);
    expect([...framesFromChange(change, { width: 5, height: 3 }).get(1)!.data]).toEqual([...segment().masks[1]!.data]);
    expect(() => toChangePayload(segment(), [2])).toThrow('frame 2 out of range');
  });

  it('rejects masks that are not bytes, bad colours and unknown fields, naming the path', () => {
    const good = toChangePayload(segment());
    const parse = (s: object) =>
      argSchemas['masks:commit'].parse({ seriesId: '1', version: 0, order: [], changed: [s], edits: [] });
    expect(() => parse({ ...good, bits: [1, 2, 3] })).toThrow(/changed\[0\]\.bits: expected Uint8Array/);
    expect(() => parse({ ...good, color: [1, 2] })).toThrow(ValidationError);
    expect(() => parse({ ...good, color: [1, 2, 300] })).toThrow(/color\[2\]/);
    expect(() => parse({ ...good, masks: [] })).toThrow(/changed\[0\]\.masks: expected no such field/);
    const pointing = { frame: 0, box: { x0: 0, y0: 0, x1: 3, y1: 2 }, clicks: [{ x: 1.5, y: 0.5, positive: true }] };
    expect(parse({ ...good, pointing }).changed[0]!.pointing).toEqual(pointing);
    expect(() => parse({ ...good, pointing: { ...pointing, clicks: [{ x: 1, y: 1 }] } })).toThrow(
      /changed\[0\]\.pointing\.clicks\[0\]\.positive/,
    );
    expect(() => parse({ ...good, pointing: { ...pointing, frame: -1 } })).toThrow(/pointing\.frame/);
    expect(() => parse({ ...good, pointing: { ...pointing, box: { x0: 'a', y0: 0, x1: 1, y1: 1 } } })).toThrow(
      /pointing\.box\.x0/,
    );
  });

  it('refuses a payload whose size does not match the series', () => {
    expect(() => fromPayload(toPayload(segment()), { width: 5, height: 3, frameCount: 3 })).toThrow(
      /expected 6 for 3 frames/,
    );
  });
});

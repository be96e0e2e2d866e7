import { describe, expect, it } from 'vitest';
import { createMask } from '../../../shared/labelmap/mask';
import { describePointing } from '../../../shared/labelmap/pointing';
import type { Segment } from '../../../shared/labelmap/segments';
import { boxFromDrag, clickAt, pointedRun, refinable, withChange } from './pointing';

const size = { width: 100, height: 80 };

function segment(info: Partial<Segment> = {}): Segment {
  return {
    id: 's1',
    name: 'femur lesion',
    color: [1, 2, 3],
    visible: true,
    locked: false,
    opacity: 0.5,
    outline: false,
    source: 'ai',
    prompt: 'femur lesion',
    masks: [createMask(100, 80)],
    ...info,
  };
}

describe('box from a drag', () => {
  it('orders the corners and snaps outwards to whole pixels', () => {
    expect(boxFromDrag({ x: 30.6, y: 40.2 }, { x: 10.4, y: 20.9 }, 100, 80)).toEqual({
      x0: 10,
      y0: 20,
      x1: 31,
      y1: 41,
    });
  });

  it('clips a box that reaches past the image to its edges', () => {
    expect(boxFromDrag({ x: -20, y: 70 }, { x: 50, y: 200 }, 100, 80)).toEqual({ x0: 0, y0: 70, x1: 50, y1: 80 });
  });

  it('refuses a box outside the image and a slip of the mouse, in words', () => {
    expect(boxFromDrag({ x: -30, y: 5 }, { x: -5, y: 50 }, 100, 80)).toMatch(/outside the image/);
    expect(boxFromDrag({ x: 120, y: 5 }, { x: 150, y: 50 }, 100, 80)).toMatch(/outside the image/);
    expect(boxFromDrag({ x: 10.2, y: 10.2 }, { x: 10.7, y: 10.9 }, 100, 80)).toBe(
      'the box is 1x1 px: drag a box at least 3 px each way around the region',
    );
    expect(boxFromDrag({ x: 10, y: 10 }, { x: 40, y: 11 }, 100, 80)).toMatch(/30x1 px/);
  });
});

describe('click at a point', () => {
  it('lands on the centre of the pixel under the pointer', () => {
    expect(clickAt({ x: 12.9, y: 0.1 }, true, 100, 80)).toEqual({ x: 12.5, y: 0.5, positive: true });
    expect(clickAt({ x: 99.99, y: 79.99 }, false, 100, 80)).toEqual({ x: 99.5, y: 79.5, positive: false });
  });

  it('refuses a click off the image', () => {
    expect(clickAt({ x: -0.1, y: 5 }, true, 100, 80)).toBe('the click is outside the image');
    expect(clickAt({ x: 100, y: 5 }, true, 100, 80)).toBe('the click is outside the image');
    expect(clickAt({ x: 5, y: 80 }, true, 100, 80)).toBe('the click is outside the image');
  });
});

describe('the click list', () => {
  const box = { x0: 1, y0: 2, x1: 30, y1: 40 };
  const plus = { x: 5.5, y: 6.5, positive: true };
  const minus = { x: 7.5, y: 8.5, positive: false };

  it('adds clicks in order and keeps the box; a new box replaces the box and keeps the clicks', () => {
    const one = withChange({ frame: 0, box, clicks: [] }, 0, { click: plus });
    const two = withChange(one, 0, { click: minus });
    expect(two).toEqual({ frame: 0, box, clicks: [plus, minus] });
    expect(one.clicks).toEqual([plus]); // not changed in place: undo keeps the old list
    const other = { x0: 3, y0: 3, x1: 9, y1: 9 };
    expect(withChange(two, 0, { box: other })).toEqual({ frame: 0, box: other, clicks: [plus, minus] });
  });

  it('starts afresh on another frame', () => {
    expect(withChange({ frame: 0, box, clicks: [plus] }, 2, { click: minus })).toEqual({ frame: 2, clicks: [minus] });
    expect(withChange(undefined, 1, { box })).toEqual({ frame: 1, box, clicks: [] });
  });

  it('says what was pointed at', () => {
    expect(describePointing({ frame: 0, box, clicks: [] })).toBe('box');
    expect(describePointing({ frame: 0, box, clicks: [plus] })).toBe('box + 1 click');
    expect(describePointing({ frame: 0, clicks: [plus, minus] })).toBe('2 clicks');
  });
});

describe('the pointed request', () => {
  it('refines the selected AI segment with its own prompt and pointing', () => {
    const target = segment({ pointing: { frame: 0, box: { x0: 1, y0: 1, x1: 20, y1: 20 }, clicks: [] } });
    const run = pointedRun(
      { kind: 'click', at: { x: 10.2, y: 10.7 }, positive: false },
      0,
      size,
      refinable(target),
      target.pointing,
      'typed text',
    );
    expect(run).toEqual({
      prompt: 'femur lesion',
      targetId: 's1',
      pointing: { frame: 0, box: { x0: 1, y0: 1, x1: 20, y1: 20 }, clicks: [{ x: 10.5, y: 10.5, positive: false }] },
    });
  });

  it('makes a new segment from the typed text when no AI segment is selected', () => {
    expect(refinable(segment({ source: 'manual' }))).toBeNull();
    const run = pointedRun(
      { kind: 'box', from: { x: 5, y: 5 }, to: { x: 25, y: 30 } },
      0,
      size,
      null,
      undefined,
      ' lesion ',
    );
    expect(run).toEqual({
      prompt: 'lesion',
      pointing: { frame: 0, box: { x0: 5, y0: 5, x1: 25, y1: 30 }, clicks: [] },
    });
  });

  it('refuses a locked segment and a bad box before asking the model', () => {
    const click = { kind: 'click' as const, at: { x: 3, y: 3 }, positive: true };
    expect(pointedRun(click, 0, size, segment({ locked: true }), undefined, '')).toBe(
      'segment "femur lesion" is locked',
    );
    const tiny = { kind: 'box' as const, from: { x: 5, y: 5 }, to: { x: 5, y: 5 } };
    expect(pointedRun(tiny, 0, size, segment(), undefined, '')).toBe(
      'the box is 0x0 px: drag a box at least 3 px each way around the region',
    );
  });
});

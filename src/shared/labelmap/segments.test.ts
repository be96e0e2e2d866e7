import { describe, expect, it } from 'vitest';
import { stampDisc, strokeSegment } from './brush';
import { codingOf } from './coding';
import { History } from './history';
import { clearMask, cloneMask, countSet, createMask, masksEqual } from './mask';
import { LockedSegmentError, SegmentList } from './segments';

describe('History', () => {
  it('undoes and redoes in stack order and drops redo on a new edit', () => {
    const h = new History<string>(() => 1);
    h.push('a');
    h.push('b');
    h.push('c');
    expect(h.undo()).toBe('c');
    expect(h.undo()).toBe('b');
    expect(h.redo()).toBe('b');
    h.push('d');
    expect(h.canRedo).toBe(false);
    expect([h.undo(), h.undo(), h.undo()]).toEqual(['d', 'b', 'a']);
    expect(h.undo()).toBeUndefined();
  });

  it('forgets the oldest entries beyond its count and byte limits', () => {
    const byCount = new History<number>(() => 1, { maxEntries: 3, maxBytes: 1e9 });
    for (let i = 1; i <= 5; i++) byCount.push(i);
    expect([byCount.undo(), byCount.undo(), byCount.undo(), byCount.undo()]).toEqual([5, 4, 3, undefined]);
    const byBytes = new History<number>((n) => n, { maxEntries: 100, maxBytes: 10 });
    for (const n of [4, 4, 4, 4]) byBytes.push(n);
    expect(byBytes.size).toBe(2);
  });
});

describe('SegmentList', () => {
  it('undoes brush strokes one stroke at a time, in reverse order, and redoes them', () => {
    const list = new SegmentList(64, 64, 1);
    const seg = list.add({ name: 'Lesion' });
    const mask = seg.masks[0]!;
    const empty = cloneMask(mask);
    list.edit(seg.id, 0, 'Brush', (m) => strokeSegment(m, { x: 5, y: 5 }, { x: 40, y: 5 }, 2, 1));
    const afterFirst = cloneMask(mask);
    list.edit(seg.id, 0, 'Brush', (m) => strokeSegment(m, { x: 5, y: 30 }, { x: 40, y: 30 }, 2, 1));
    const afterSecond = cloneMask(mask);
    list.edit(seg.id, 0, 'Eraser', (m) => stampDisc(m, { x: 20, y: 5 }, 3, 0));
    expect(list.undo()).toBe('Eraser');
    expect(masksEqual(mask, afterSecond)).toBe(true);
    expect(list.undo()).toBe('Brush');
    expect(masksEqual(mask, afterFirst)).toBe(true);
    expect(list.undo()).toBe('Brush');
    expect(masksEqual(mask, empty)).toBe(true);
    expect(list.undo()).toBe('Add segment');
    expect(list.segments).toHaveLength(0);
    expect(list.redo()).toBe('Add segment');
    expect(list.redo()).toBe('Brush');
    expect(list.redo()).toBe('Brush');
    expect(masksEqual(list.get(seg.id).masks[0]!, afterSecond)).toBe(true);
  });

  it('records a continuous stroke built from many pointer moves as one step', () => {
    const list = new SegmentList(50, 50, 2);
    const seg = list.add();
    const session = list.beginEdit(seg.id, 1);
    const points = [
      { x: 2, y: 2 },
      { x: 30, y: 4 },
      { x: 45, y: 40 },
    ];
    for (let i = 1; i < points.length; i++)
      session.touch(strokeSegment(session.mask, points[i - 1]!, points[i]!, 1, 1));
    expect(session.commit('Brush')).toBe(true);
    expect(countSet(seg.masks[1]!)).toBeGreaterThan(60);
    expect(countSet(seg.masks[0]!)).toBe(0);
    list.undo();
    expect(countSet(seg.masks[1]!)).toBe(0);
  });

  it('does not record an edit that changed nothing, and cancel restores the frame', () => {
    const list = new SegmentList(10, 10, 1);
    const seg = list.add();
    expect(list.edit(seg.id, 0, 'Eraser', (m) => stampDisc(m, { x: 5, y: 5 }, 2, 0))).toBe(false);
    const session = list.beginEdit(seg.id, 0);
    session.touch(clearMask(session.mask));
    session.touch(stampDisc(session.mask, { x: 5, y: 5 }, 2, 1));
    session.cancel();
    expect(countSet(seg.masks[0]!)).toBe(0);
    expect(list.undo()).toBe('Add segment');
  });

  it('refuses to edit a locked segment and leaves it untouched', () => {
    const list = new SegmentList(10, 10, 1);
    const seg = list.add();
    list.update(seg.id, { locked: true });
    expect(() => list.edit(seg.id, 0, 'Brush', (m) => stampDisc(m, { x: 5, y: 5 }, 2, 1))).toThrow(LockedSegmentError);
    expect(countSet(seg.masks[0]!)).toBe(0);
  });

  it('adds an AI result as a new segment with its prompt in one undo step', () => {
    const list = new SegmentList(8, 8, 1);
    const mask = createMask(8, 8);
    mask.data.fill(1, 0, 16);
    const prompt = 'Bilateral pulmonary infection, two infected areas, lower left lung and lower right lung';
    const coding = codingOf('infiltrate', 'both');
    const seg = list.applyAiResult([mask], { prompt, algorithm: 'NTP-MRISeg 0.1', coding });
    // Named by the whole prompt: two prompts that differ late stay apart in the list.
    expect(seg).toMatchObject({ source: 'ai', name: prompt, prompt, algorithm: 'NTP-MRISeg 0.1', coding });
    expect(list.selectedId).toBe(seg.id);
    expect(list.undo()).toBe('AI result');
    expect(list.segments).toHaveLength(0);
    expect(list.canUndo).toBe(false);
  });

  it('replaces the selected segment with an AI result and undo brings back the manual mask', () => {
    const list = new SegmentList(8, 8, 1);
    const seg = list.add({ name: 'Mine' });
    list.edit(seg.id, 0, 'Brush', (m) => stampDisc(m, { x: 1, y: 1 }, 1, 1));
    const manual = cloneMask(seg.masks[0]!);
    const ai = createMask(8, 8);
    ai.data.fill(1, 32);
    list.applyAiResult([ai], { prompt: 'left lung', algorithm: 'a', coding: codingOf('lung', 'left') }, true);
    expect(list.segments).toHaveLength(1);
    expect(masksEqual(seg.masks[0]!, ai)).toBe(true);
    expect(seg.source).toBe('ai');
    expect(seg.name).toBe('Mine');
    list.undo();
    expect(masksEqual(seg.masks[0]!, manual)).toBe(true);
    expect(seg.source).toBe('manual');
    expect(seg.prompt).toBeUndefined();
    expect(seg.coding).toBeUndefined();
  });

  it('marks an AI segment edited by a hand edit, not by its own answer; undo and a new answer clear it', () => {
    const list = new SegmentList(8, 8, 1);
    const answer = createMask(8, 8);
    answer.data.fill(1, 0, 16);
    const seg = list.applyAiResult([answer], { prompt: 'left lung', algorithm: 'a' });
    expect(seg.edited).toBeFalsy();
    list.edit(seg.id, 0, 'Brush', (m) => stampDisc(m, { x: 4, y: 4 }, 1, 1));
    expect(seg.edited).toBe(true);
    list.edit(seg.id, 0, 'Eraser', (m) => stampDisc(m, { x: 0, y: 0 }, 1, 0));
    list.undo();
    expect(seg.edited).toBe(true); // the brush stroke is still there
    list.undo();
    expect(seg.edited).toBe(false);
    list.redo();
    expect(seg.edited).toBe(true);
    list.applyAiResult([answer], { prompt: 'left lung', algorithm: 'a' }, true);
    expect(seg.edited).toBe(false);
    list.undo();
    expect(seg.edited).toBe(true);
    // A hand-drawn segment is never "edited AI".
    const mine = list.add({ name: 'Mine' });
    list.edit(mine.id, 0, 'Brush', (m) => stampDisc(m, { x: 1, y: 1 }, 1, 1));
    expect(mine.edited).toBeUndefined();
  });

  it('rejects masks of the wrong size with a clear error', () => {
    const list = new SegmentList(8, 8, 1);
    expect(() => list.add({}, [createMask(4, 4)])).toThrow('mask is 4x4, image is 8x8');
    expect(list.segments).toHaveLength(0);
  });
});

describe('SegmentList loading and grouped adds', () => {
  it('loads saved segments without an undo step, and an import of several segments undoes as one', () => {
    const list = new SegmentList(4, 4, 1);
    const saved = createMask(4, 4);
    saved.data[3] = 1;
    list.load([
      {
        id: 'kept',
        name: 'Kept',
        color: [1, 1, 1],
        visible: true,
        locked: false,
        opacity: 1,
        outline: false,
        source: 'manual',
        masks: [saved],
      },
    ]);
    expect(list.canUndo).toBe(false);
    const added = list.addAll(
      [
        { info: { name: 'A' }, masks: [createMask(4, 4)] },
        { info: { name: 'B', id: 'kept' }, masks: [createMask(4, 4)] },
      ],
      'Import SEG',
    );
    expect(added.map((s) => s.name)).toEqual(['A', 'B']);
    expect(new Set(list.segments.map((s) => s.id)).size).toBe(3); // a clashing id is replaced
    expect(list.undo()).toBe('Import SEG');
    expect(list.segments.map((s) => s.name)).toEqual(['Kept']);
    expect(list.redo()).toBe('Import SEG');
    expect(list.segments.map((s) => s.name)).toEqual(['Kept', 'A', 'B']);
    expect(list.undo()).toBe('Import SEG');
    expect(list.undo()).toBeNull();
  });
});

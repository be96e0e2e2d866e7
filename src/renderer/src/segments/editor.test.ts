import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import type { NextmaskApi } from '../../../shared/ipc';
import { codingOf } from '../../../shared/labelmap/coding';
import { countSet, createMask } from '../../../shared/labelmap/mask';
import {
  framesFromChange,
  type SegmentChangePayload,
  type SegmentPayload,
  toPayload,
} from '../../../shared/labelmap/payload';
import { NEW_SEGMENT_DEFAULTS } from '../../../shared/labelmap/segments';
import { SegmentEditor } from './editor.svelte';
import SegmentPanel from './SegmentPanel.svelte';

const SHAPE = { width: 32, height: 16, frameCount: 2 };

function savedSegment(): SegmentPayload {
  const masks = [createMask(32, 16), createMask(32, 16)];
  masks[1]!.data.fill(1, 0, 10);
  return toPayload({
    id: 'liver',
    name: 'Liver',
    color: [200, 0, 0],
    ...NEW_SEGMENT_DEFAULTS,
    masks,
  });
}

/** What the fake file holds: a segment unlike the saved one (the same masks would be a duplicate). */
function fileSegment(): SegmentPayload {
  const masks = [createMask(32, 16), createMask(32, 16)];
  masks[0]!.data.fill(1, 0, 5);
  return toPayload({ id: 'imported', name: 'Imported', color: [0, 0, 200], ...NEW_SEGMENT_DEFAULTS, masks });
}

type Commit = {
  version: number;
  order: string[];
  changed: SegmentChangePayload[];
  edits: { action: string; frame?: number }[];
};

/** The store as the commits leave it: segment id → frame → pixel count. */
function replay(calls: { channel: string; args: unknown }[]): Map<string, Map<number, number>> {
  const store = new Map([['liver', new Map([[1, 10]])]]);
  for (const c of calls.filter((c) => c.channel === 'masks:commit')) {
    const commit = c.args as Commit;
    for (const id of [...store.keys()]) if (!commit.order.includes(id)) store.delete(id);
    for (const change of commit.changed) {
      const frames = store.get(change.id) ?? new Map<number, number>();
      for (const [f, m] of framesFromChange(change, SHAPE)) frames.set(f, countSet(m));
      store.set(change.id, frames);
    }
  }
  return store;
}

function fakeApi(calls: { channel: string; args: unknown }[], failCommits = { count: 0 }): NextmaskApi {
  const invoke = vi.fn(async (channel: string, args: unknown) => {
    calls.push({ channel, args });
    if (channel === 'masks:load')
      return { studyKey: 'k', ...SHAPE, segments: [savedSegment()], savedAt: null, version: 4 };
    if (channel === 'masks:commit') {
      if (failCommits.count-- > 0) throw new Error('disk full');
      return { savedAt: 'now', version: (args as { version: number }).version + 1 };
    }
    if (channel === 'masks:import') return [fileSegment()];
    if (channel === 'masks:export') return { path: (args as { path: string }).path, deidentified: true, segments: 1 };
    return null;
  });
  return { invoke: invoke as unknown as NextmaskApi['invoke'], on: () => () => {} };
}

describe('SegmentEditor', () => {
  it('loads the saved segments, paints a stroke as one undo step, and saves each change as it happens', async () => {
    const calls: { channel: string; args: unknown }[] = [];
    const editor = new SegmentEditor(fakeApi(calls));
    await editor.open('series-1');
    expect(editor.list?.segments.map((s) => s.name)).toEqual(['Liver']);
    expect(editor.list?.canUndo).toBe(false);

    editor.tool = 'brush';
    editor.frame = 0;
    editor.beginStroke({ x: 2, y: 8 }, 1);
    editor.strokeTo({ x: 20, y: 8 });
    editor.strokeTo({ x: 28, y: 8 });
    editor.endStroke();
    const liver = editor.list!.segments[0]!;
    expect(editor.pixelCount(liver)).toBeGreaterThan(10 + 27);
    expect(editor.saveState).toBe('saving');

    editor.undo();
    expect(editor.pixelCount(liver)).toBe(10);
    editor.redo();
    const painted = editor.pixelCount(liver);
    expect(painted).toBeGreaterThan(37);
    editor.undo();
    editor.redo();
    expect(editor.pixelCount(liver)).toBe(painted);

    expect(await editor.flush()).toBe(true);
    expect(editor.saveState).toBe('saved');
    const commits = calls.filter((c) => c.channel === 'masks:commit').map((c) => c.args as Commit);
    // The stroke travels as the one frame it changed, never the whole series.
    expect(commits[0]!.changed.map((c) => c.frames)).toEqual([[0]]);
    // Each commit builds on the version loaded or last committed, so a newer one elsewhere is a conflict.
    expect(commits.map((c) => c.version)).toEqual(commits.map((_, i) => 4 + i));
    expect(commits.flatMap((c) => c.edits.map((e) => e.action))).toEqual([
      'Brush',
      'undo Brush',
      'redo Brush',
      'undo Brush',
      'redo Brush',
    ]);
    expect(replay(calls)).toEqual(
      new Map([
        [
          'liver',
          new Map([
            [0, painted - 10],
            [1, 10],
          ]),
        ],
      ]),
    );
  });

  it('keeps a change whose save failed and saves it on retry, and saves before showing another series', async () => {
    const calls: { channel: string; args: unknown }[] = [];
    const editor = new SegmentEditor(fakeApi(calls, { count: 1 }));
    await editor.open('series-1');
    editor.addSegment();
    expect(await editor.flush()).toBe(false);
    expect(editor.saveState).toBe('failed');
    expect(editor.saveError).toContain('disk full');
    editor.update('liver', { name: 'Liver left' });
    await editor.retrySave();
    expect(editor.saveState).toBe('saved');
    expect([...replay(calls).keys()]).toEqual(['liver', 's2']);
    editor.tool = 'brush';
    editor.select('s2');
    editor.beginStroke({ x: 4, y: 4 }, 6);
    editor.endStroke();
    // Switching series right after a stroke: the stroke is committed to its own series first.
    await editor.open('series-2');
    const last = calls.filter((c) => c.channel === 'masks:commit').at(-1)!.args as Commit & { seriesId: string };
    expect(last.seriesId).toBe('series-1');
    expect(last.changed.map((c) => [c.id, c.frames])).toEqual([['s2', [0]]]);
    expect(calls.at(-1)!.channel).toBe('masks:load');
  });

  it('sizes the brush a step at a time, and refuses to paint a locked segment with a message', async () => {
    const editor = new SegmentEditor(fakeApi([]));
    await editor.open('series-1');
    editor.radius = 10;
    editor.stepRadius(1);
    expect(editor.radius).toBe(11);
    editor.stepRadius(-1);
    editor.stepRadius(-1);
    expect(editor.radius).toBe(9);
    editor.update('liver', { locked: true });
    editor.beginStroke({ x: 5, y: 5 }, 6);
    editor.endStroke();
    expect(editor.error).toBe('segment "Liver" is locked');
    expect(editor.pixelCount(editor.list!.segments[0]!)).toBe(10);
  });

  it('imports as one undo step and exports only once the store has every change', async () => {
    const calls: { channel: string; args: unknown }[] = [];
    const editor = new SegmentEditor(fakeApi(calls));
    await editor.open('series-1');
    await editor.importFrom('/data/seg.dcm');
    expect(editor.list!.segments.map((s) => s.name)).toEqual(['Liver', 'Imported']);
    editor.undo();
    expect(editor.list!.segments.map((s) => s.name)).toEqual(['Liver']);
    await editor.exportTo('seg', '/out/x.dcm', true);
    expect(calls.map((c) => c.channel).slice(-2)).toEqual(['masks:commit', 'masks:export']);
    expect([...replay(calls).keys()]).toEqual(['liver']);
    expect(calls.at(-1)!.args).toMatchObject({ format: 'seg', path: '/out/x.dcm', deidentify: true });
    expect(editor.message).toBe('Exported /out/x.dcm (de-identified)');
  });
});

describe('SegmentPanel', () => {
  it('lists the segments and shows clearly when de-identification is on', async () => {
    const editor = new SegmentEditor(fakeApi([]));
    await editor.open('series-1');
    render(SegmentPanel, { editor });
    expect((await screen.findAllByTestId('segment-name')).map((n) => n.textContent)).toEqual(['Liver']);
    expect(screen.getByTestId('segment-pixels').textContent).toBe('10');
    expect(screen.queryByRole('note')).toBeNull();
    await fireEvent.click(screen.getByLabelText(/De-identify/));
    flushSync();
    expect(screen.getByRole('note').textContent).toContain('De-identification ON');
  });

  it('redraws a row at once after a change of colour, name or coding, with eye and lock on every row', async () => {
    const calls: { channel: string; args: unknown }[] = [];
    const editor = new SegmentEditor(fakeApi(calls));
    await editor.open('series-1');
    render(SegmentPanel, { editor });
    editor.addSegment();
    flushSync();
    const swatches = screen.getAllByTestId('segment-swatch');
    expect(swatches).toHaveLength(2);
    editor.update('liver', { color: [0, 255, 0], name: 'Infection in the lower left lung and the lower right lung' });
    flushSync();
    expect(swatches[0]!.style.background).toBe('rgb(0, 255, 0)');
    expect(screen.getAllByTestId('segment-name')[0]!.textContent).toBe(
      'Infection in the lower left lung and the lower right lung',
    );

    const eyes = screen.getAllByTestId('segment-visible');
    const locks = screen.getAllByTestId('segment-lock');
    expect([eyes.length, locks.length]).toEqual([2, 2]);
    await fireEvent.click(eyes[1]!);
    await fireEvent.click(locks[0]!);
    expect(editor.list!.segments.map((s) => [s.visible, s.locked])).toEqual([
      [true, true],
      [false, false],
    ]);
    expect(eyes[1]!.getAttribute('aria-pressed')).toBe('true');

    await fireEvent.click(screen.getAllByTestId('segment-name')[0]!);
    expect(screen.getAllByTestId('segment-coding')[0]!.textContent).toBe('not coded');
    await fireEvent.change(screen.getByTestId('segment-coding-kind'), { target: { value: 'infiltrate' } });
    await fireEvent.change(screen.getByTestId('segment-side'), { target: { value: 'both' } });
    expect(editor.list!.segments[0]!.coding).toEqual(codingOf('infiltrate', 'both'));
    expect(screen.getAllByTestId('segment-coding')[0]!.textContent).toBe(
      'Radiologic infiltrate of lung · right and left',
    );
    await editor.flush();
    const last = calls.filter((c) => c.channel === 'masks:commit').at(-1)!.args as Commit;
    expect(last.changed[0]).toMatchObject({ id: 'liver', coding: codingOf('infiltrate', 'both') });
  });
});

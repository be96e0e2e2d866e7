import { fireEvent, render, screen } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it, vi } from 'vitest';
import type { NextmaskApi } from '../../../shared/ipc';
import { createMask } from '../../../shared/labelmap/mask';
import { fromPayload, type SegmentPayload, toPayload } from '../../../shared/labelmap/payload';
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

function fakeApi(calls: { channel: string; args: unknown }[]): NextmaskApi {
  const invoke = vi.fn(async (channel: string, args: unknown) => {
    calls.push({ channel, args });
    if (channel === 'masks:load')
      return { studyKey: 'k', ...SHAPE, segments: [savedSegment()], savedAt: null, version: 4 };
    if (channel === 'masks:save') return { savedAt: 'now', version: (args as { version: number }).version + 1 };
    if (channel === 'masks:import') return [{ ...savedSegment(), id: 'imported', name: 'Imported' }];
    if (channel === 'masks:export') return { path: (args as { path: string }).path, deidentified: true, segments: 1 };
    return null;
  });
  return { invoke: invoke as unknown as NextmaskApi['invoke'], on: () => () => {} };
}

const key = (key: string, extra: Partial<KeyboardEventInit> = {}) => new KeyboardEvent('keydown', { key, ...extra });

describe('SegmentEditor', () => {
  it('loads the saved segments, paints a stroke as one undo step, and saves what changed', async () => {
    const calls: { channel: string; args: unknown }[] = [];
    const editor = new SegmentEditor(fakeApi(calls));
    await editor.open('series-1');
    expect(editor.list?.segments.map((s) => s.name)).toEqual(['Liver']);
    expect(editor.list?.canUndo).toBe(false);

    editor.tool = 'brush';
    editor.radius = 1;
    editor.frame = 0;
    editor.beginStroke({ x: 2, y: 8 });
    editor.strokeTo({ x: 20, y: 8 });
    editor.strokeTo({ x: 28, y: 8 });
    editor.endStroke();
    const liver = editor.list!.segments[0]!;
    expect(editor.pixelCount(liver)).toBeGreaterThan(10 + 27);
    expect(editor.dirty).toBe(true);

    expect(editor.keydown(key('z', { ctrlKey: true }))).toBe(true);
    expect(editor.pixelCount(liver)).toBe(10);
    expect(editor.keydown(key('z', { ctrlKey: true, shiftKey: true }))).toBe(true);
    const painted = editor.pixelCount(liver);
    expect(painted).toBeGreaterThan(37);
    editor.keydown(key('z', { ctrlKey: true }));
    editor.keydown(key('y', { ctrlKey: true }));
    expect(editor.pixelCount(liver)).toBe(painted);

    expect(await editor.save()).toBe(true);
    const save = calls.find((c) => c.channel === 'masks:save')!.args as {
      version: number;
      segments: SegmentPayload[];
      edits: { action: string }[];
    };
    expect(fromPayload(save.segments[0]!, SHAPE).masks[0]!.data.reduce((a, v) => a + v, 0)).toBe(painted - 10);
    expect(save.edits.map((e) => e.action)).toContain('Brush');
    expect(save.version).toBe(4); // the version loaded, so a newer save elsewhere is a conflict
    expect(editor.dirty).toBe(false);
    expect(await editor.save()).toBe(true);
    expect((calls.filter((c) => c.channel === 'masks:save')[1]!.args as { version: number }).version).toBe(5);
  });

  it('sizes the brush with [ and ], and refuses to paint a locked segment with a message', async () => {
    const editor = new SegmentEditor(fakeApi([]));
    await editor.open('series-1');
    editor.radius = 10;
    editor.keydown(key(']'));
    expect(editor.radius).toBe(11);
    editor.keydown(key('['));
    editor.keydown(key('['));
    expect(editor.radius).toBe(9);
    editor.update('liver', { locked: true });
    editor.beginStroke({ x: 5, y: 5 });
    editor.endStroke();
    expect(editor.error).toBe('segment "Liver" is locked');
    expect(editor.pixelCount(editor.list!.segments[0]!)).toBe(10);
  });

  it('imports as one undo step and saves before exporting', async () => {
    const calls: { channel: string; args: unknown }[] = [];
    const editor = new SegmentEditor(fakeApi(calls));
    await editor.open('series-1');
    await editor.importFrom('/data/seg.dcm');
    expect(editor.list!.segments.map((s) => s.name)).toEqual(['Liver', 'Imported']);
    editor.undo();
    expect(editor.list!.segments.map((s) => s.name)).toEqual(['Liver']);
    await editor.exportTo('seg', '/out/x.dcm', true);
    expect(calls.map((c) => c.channel).slice(-2)).toEqual(['masks:save', 'masks:export']);
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
});

import { describe, expect, it, vi } from 'vitest';
import { type Events, IpcError, type NextmaskApi } from '../../../shared/ipc';
import { packBits } from '../../../shared/labelmap/bits';
import { codingOf } from '../../../shared/labelmap/coding';
import { PARTIAL_SIZE, type SegmentResult } from '../../../shared/segment-types';
import { SegmentEditor } from '../segments/editor.svelte';
import { describeResult, SegmentRunner } from './segment-runner.svelte';

const SHAPE = { width: 4, height: 3, frameCount: 2 };
const MASK = Uint8Array.from([1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]);

function result(requestId: string): SegmentResult {
  return {
    requestId,
    width: 4,
    height: 3,
    mask: packBits(MASK),
    foreground: 4,
    forwardPasses: 70,
    threshold: 0.5,
    cut: 0.5,
    gated: null,
    confidence: 0.9,
    uncertainty: null,
    notices: [],
    lowConfidence: false,
    coding: codingOf('lung', 'left'),
    model: 'base',
    ms: 321,
    provider: 'cpu',
    fallbackReason: 'cuda unavailable: no library',
  };
}

/** A fake main: segment:run waits until the test settles it; progress is pushed by `emit`. */
function fakeMain() {
  const runs: {
    requestId: string;
    prompt: string;
    index: number;
    args: Record<string, unknown>;
    settle: (outcome: unknown) => void;
  }[] = [];
  const calls: { channel: string; args: unknown }[] = [];
  let listener: ((p: Events['segment:progress']) => void) | undefined;
  const invoke = vi.fn(async (channel: string, args: Record<string, unknown>) => {
    calls.push({ channel, args });
    if (channel === 'masks:load') return { studyKey: 'k', ...SHAPE, segments: [], savedAt: null, version: 0 };
    if (channel === 'segment:status')
      return { modelDir: '/m/base', loaded: false, requested: 'auto', provider: null, threads: null };
    if (channel === 'segment:cancel') return { cancelled: true };
    if (channel === 'segment:run') {
      return new Promise((resolve, reject) => {
        runs.push({
          requestId: args.requestId as string,
          prompt: args.prompt as string,
          index: args.index as number,
          args,
          settle: (outcome) => (outcome instanceof Error ? reject(outcome) : resolve(outcome)),
        });
      });
    }
    return null;
  });
  const api: NextmaskApi = {
    invoke: invoke as unknown as NextmaskApi['invoke'],
    on: ((event: string, l: (p: Events['segment:progress']) => void) => {
      if (event === 'segment:progress') listener = l;
      return () => {};
    }) as NextmaskApi['on'],
  };
  const emit = (p: Events['segment:progress']) => listener?.(p);
  return { api, runs, calls, emit };
}

async function setUp() {
  const main = fakeMain();
  const editor = new SegmentEditor(main.api);
  await editor.open('s1');
  editor.frame = 1;
  const runner = new SegmentRunner(main.api, editor);
  return { ...main, editor, runner };
}

const settled = () => new Promise((r) => setTimeout(r, 0));

describe('SegmentRunner', () => {
  it('shows the streamed partial over the frame, then adds the result as one AI segment with its prompt', async () => {
    const { runs, calls, emit, editor, runner } = await setUp();
    const running = runner.run('left lung');
    await settled();
    expect(runner.running).toBe(true);
    // No total before main reports the answer's own: nothing to jump from.
    expect([runner.total, runner.fraction]).toEqual([0, 0]);
    expect(runner.progressText).toMatch(/^(Loading the model|Decoding)…$/);
    const run = runs[0]!;
    expect(run).toMatchObject({ prompt: 'left lung', index: 1 });

    const partial = new Uint8Array(PARTIAL_SIZE * PARTIAL_SIZE);
    partial.fill(1, 0, 16 * PARTIAL_SIZE); // the first grid row of patches
    emit({ requestId: 'someone-else', decoded: 48, total: 256, retry: false, partial: packBits(partial) });
    expect(editor.preview).toBeNull();
    emit({ requestId: run.requestId, decoded: 16, total: 256, retry: false, partial: packBits(partial) });
    expect([runner.decoded, runner.total, runner.fraction]).toEqual([16, 256, 1 / 16]);
    expect(runner.progressText).toBe('Decoding 16/256');
    expect(editor.preview?.frame).toBe(1);
    expect(Array.from(editor.preview!.mask.data)).toEqual(Array.from(partial));

    run.settle(result(run.requestId));
    await running;
    expect(runner.running).toBe(false);
    expect(editor.preview).toBeNull();
    const [segment] = editor.list!.segments;
    expect(segment).toMatchObject({ source: 'ai', prompt: 'left lung', algorithm: 'NextMask NTP-MRISeg base' });
    expect(segment!.coding).toEqual(codingOf('lung', 'left'));
    // The answer's confidence goes with the segment, for its row and the store.
    expect([segment!.confidence, segment!.lowConfidence]).toEqual([0.9, undefined]);
    expect(Array.from(segment!.masks[1]!.data)).toEqual(Array.from(MASK));
    expect(segment!.masks[0]!.data.every((v) => v === 0)).toBe(true);
    expect(calls.some((c) => c.channel === 'masks:proposal')).toBe(true);
    expect(runner.message).toContain('4 px');
    // The provider in a few words: ORT's reason stays out of the result line.
    expect(runner.message).toContain('on cpu (no GPU provider)');
    expect(runner.message).not.toContain('no library');
    expect(runner.provider).toBe('cpu');
    editor.undo(); // one step takes it away
    expect(editor.list!.segments).toEqual([]);
  });

  it('points: a box makes a segment, a click refines it with its prompt, box, clicks and mask, one undo step each', async () => {
    const { runs, editor, runner } = await setUp();
    // A box with no AI segment selected: a new segment from the typed text.
    const boxed = runner.point({ kind: 'box', from: { x: 0, y: 0 }, to: { x: 4, y: 3 } }, ' left lung ');
    await settled();
    const box = { x0: 0, y0: 0, x1: 4, y1: 3 };
    expect(runner.pending).toEqual({ frame: 1, box, clicks: [] });
    expect(runs[0]!.args).toMatchObject({ prompt: 'left lung', index: 1, box, clicks: [] });
    expect(runs[0]!.args.previous).toBeUndefined();
    runs[0]!.settle(result(runs[0]!.requestId));
    await boxed;
    expect(runner.pending).toBeNull();
    const segment = editor.list!.segments[0]!;
    expect(segment.pointing).toEqual({ frame: 1, box, clicks: [] });
    expect(runner.message).toMatch(/^“left lung” \+ box: 4 px/);

    // A click (another prompt typed meanwhile is not the segment's): the same segment, decoded again.
    const clicked = runner.point({ kind: 'click', at: { x: 2.2, y: 1.9 }, positive: false }, 'something else');
    await settled();
    const click = { x: 2.5, y: 1.5, positive: false };
    expect(runs[1]!.args).toMatchObject({ prompt: 'left lung', box, clicks: [click] });
    expect(Array.from(runs[1]!.args.previous as Uint8Array)).toEqual(Array.from(packBits(MASK)));
    const refined = Uint8Array.from([0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0]);
    runs[1]!.settle({ ...result(runs[1]!.requestId), mask: packBits(refined), foreground: 2 });
    await clicked;
    expect(editor.list!.segments).toHaveLength(1);
    expect(segment.pointing).toEqual({ frame: 1, box, clicks: [click] });
    expect(Array.from(segment.masks[1]!.data)).toEqual(Array.from(refined));
    expect(segment.prompt).toBe('left lung');

    editor.undo(); // the click's answer goes, mask and click list together
    expect(segment.pointing).toEqual({ frame: 1, box, clicks: [] });
    expect(Array.from(segment.masks[1]!.data)).toEqual(Array.from(MASK));
  });

  it('says why a box cannot be used, and asks main nothing', async () => {
    const { runs, runner, editor } = await setUp();
    await runner.point({ kind: 'box', from: { x: -9, y: 0 }, to: { x: -2, y: 3 } }, 'lesion');
    expect(runner.error).toBe('the box lies outside the image: drag it over the region to segment');
    expect(runs).toEqual([]);
    expect(editor.list!.segments).toEqual([]);
  });

  it('cancels through main and says so; a newer prompt replaces the running one quietly', async () => {
    const { runs, calls, editor, runner } = await setUp();
    const first = runner.run('left lung');
    await settled();
    await runner.cancel();
    expect(calls.filter((c) => c.channel === 'segment:cancel').map((c) => c.args)).toEqual([
      { requestId: runs[0]!.requestId },
    ]);
    runs[0]!.settle(new IpcError('cancelled', 'segment:run: cancelled'));
    await first;
    expect(runner.message).toBe('“left lung”: cancelled');
    expect(runner.error).toBeNull();
    expect(editor.list!.segments).toEqual([]);

    const older = runner.run('right lung');
    await settled();
    const newer = runner.run('both lungs');
    await settled();
    runs[1]!.settle(new IpcError('cancelled', 'segment:run: cancelled'));
    await older;
    expect(runner.running).toBe(true);
    runs[2]!.settle(result(runs[2]!.requestId));
    await newer;
    expect(editor.list!.segments.map((s) => s.prompt)).toEqual(['both lungs']);
    expect(runner.message).toContain('both lungs');
  });

  it("keeps the answer's doubt map for its frame until the next prompt, and leaves it to the toggle", async () => {
    const { runs, editor, runner } = await setUp();
    const doubt = Uint8Array.from({ length: PARTIAL_SIZE * PARTIAL_SIZE }, (_, i) => i % 256);
    const first = runner.run('left lung');
    await settled();
    runs[0]!.settle({ ...result(runs[0]!.requestId), uncertainty: doubt });
    await first;
    expect(editor.uncertainty?.frame).toBe(1);
    expect(editor.uncertainty?.map).toEqual({ width: PARTIAL_SIZE, height: PARTIAL_SIZE, data: doubt });
    expect(editor.showUncertainty).toBe(false); // shown only when asked for
    editor.showUncertainty = true;
    // The next prompt's answer has none (an argmax model): the old map goes with the old answer.
    const second = runner.run('right lung');
    await settled();
    expect(editor.uncertainty).toBeNull();
    runs[1]!.settle(result(runs[1]!.requestId));
    await second;
    expect(editor.uncertainty).toBeNull();
  });

  it('shows errors from main', async () => {
    const { runs, runner } = await setUp();
    const running = runner.run('left lung');
    await settled();
    runs[0]!.settle(new IpcError('failed', 'no model folder at /m/base: train one'));
    await running;
    expect(runner.error).toBe('no model folder at /m/base: train one');
    expect(runner.running).toBe(false);
  });

  it('labels a fallback answer as low confidence, and only that', () => {
    expect(describeResult('tumour', { ...result('r'), threshold: 0.3, cut: 0.3 })).toContain(
      'low confidence: nothing above 0.5, shown at 0.3',
    );
    // A lesion's map with nothing at the cut is shown from half its peak (segment.ts PEAK_SHARE).
    expect(describeResult('tumour', { ...result('r'), threshold: 0.3, cut: 0.0861 })).toContain('shown at 0.09');
    expect(describeResult('tumour', { ...result('r'), cut: 0.25 })).not.toContain('low confidence');
    expect(describeResult('tumour', result('r'))).not.toContain('low confidence');
    expect(describeResult('tumour', { ...result('r'), threshold: null })).not.toContain('low confidence');
  });

  it('says when the lung gate kept the answer inside the named places, beside a fallback note', () => {
    expect(describeResult('lower left lung infection', result('r'))).not.toContain('kept inside');
    expect(
      describeResult('lower left lung infection', { ...result('r'), gated: 'lungs', threshold: 0.4, cut: 0.4 }),
    ).toContain('(low confidence: nothing above 0.5, shown at 0.4; kept inside the lungs and zones the prompt names)');
  });

  it('says when the film-region gate kept a lesion answer near the part of the film its prompt names', () => {
    const text = 'One benign osteochondroma lesion in the tibia, located in the upper region.';
    expect(describeResult(text, result('r'))).not.toContain('part of the film');
    expect(describeResult(text, { ...result('r'), gated: 'film' })).toContain(
      '(kept near the part of the film the prompt names)',
    );
  });

  it('says the notices an answer carries', () => {
    const notices = [
      'low confidence (0.41): check the mask closely',
      'this is a MR image; the model was trained on chest and bone radiographs only, so the answer is unlikely to mean anything',
    ];
    const line = describeResult('both lungs', { ...result('r'), notices });
    for (const n of notices) expect(line).toContain(n);
  });
});

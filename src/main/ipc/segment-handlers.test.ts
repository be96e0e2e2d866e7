// The segment:* channels through dispatch, on the real handler table with a small random model:
// a result for an open frame with progress events, cancellation by id and by a newer request,
// argument and user errors, the status channel, and a prompt read without the model.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope, Events } from '../../shared/ipc';
import type { SegmentResult } from '../../shared/segment-types';
import { decodeWire, encodeWire } from '../../shared/wire';
import { type App, createApp } from '../app';
import { sharedPath } from '../testing/shared-data';
import { writeRandomModel } from '../testing/tiny-model';
import { dispatch } from './dispatch';

const J2K = sharedPath('dicom', 'chest-xray', 'RG1_J2KI.dcm');
let dir: string;
let app: App;
let seriesId: string;
const progress: Events['segment:progress'][] = [];

const call = (channel: string, args: unknown) =>
  dispatch(app.handlers, channel, args, { transport: 'http', signal: new AbortController().signal });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nextmask-segment-ipc-'));
  await writeRandomModel(dir);
  process.env.NEXTMASK_WORKSPACE = join(dir, 'workspace');
  app = createApp(undefined, { segmenter: { modelDir: join(dir, 'model'), executionProvider: 'cpu', threads: 1 } });
  app.services.events.subscribe((event, payload) => {
    if (event === 'segment:progress') progress.push(payload as Events['segment:progress']);
  });
  const opened = await app.services.images.open([J2K]);
  seriesId = opened.series[0]?.id as string;
}, 60_000);
afterAll(async () => {
  await app.close();
  delete process.env.NEXTMASK_WORKSPACE;
  await rm(dir, { recursive: true, force: true });
});

describe('segment channels', () => {
  it('reads a prompt without the model, and refuses one longer than the channel takes', async () => {
    expect(await call('segment:read', { prompt: 'left lung' })).toMatchObject({
      ok: true,
      value: { terms: ['left lung'], problem: null, coding: { typeModifier: { meaning: 'Left' } } },
    });
    expect(await call('segment:read', { prompt: 'x'.repeat(10_001) })).toMatchObject({
      ok: false,
      error: { code: 'invalid-args' },
    });
    expect(await call('segment:status', {})).toMatchObject({ ok: true, value: { loaded: false } });
  });

  it('segments an open frame, streams progress for the request, and reports the provider', async () => {
    const before = await call('segment:status', {});
    expect(before).toMatchObject({ ok: true, value: { loaded: false, provider: null, modelDir: join(dir, 'model') } });
    progress.length = 0;
    const envelope = await call('segment:run', { seriesId, index: 0, prompt: 'left lung', requestId: 'r1' });
    expect(envelope.ok).toBe(true);
    const result = (envelope as { value: SegmentResult }).value;
    expect(result).toMatchObject({ requestId: 'r1', width: 1841, height: 1955, provider: 'cpu' });
    expect(result.coding).toMatchObject({ type: { value: '39607008' }, typeModifier: { meaning: 'Left' } });
    expect(result.mask).toBeInstanceOf(Uint8Array);
    expect(result.mask.length).toBe(Math.ceil((1841 * 1955) / 8));
    // Over HTTP the mask goes through the wire codec and comes back the same bytes.
    const wired = decodeWire(encodeWire(envelope)) as Envelope<SegmentResult>;
    expect(wired.ok && Buffer.from(wired.value.mask).equals(Buffer.from(result.mask))).toBe(true);
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) expect(p).toMatchObject({ requestId: 'r1', total: 256 });
    expect(await call('segment:status', {})).toMatchObject({ ok: true, value: { loaded: true, provider: 'cpu' } });
  });

  it("cancels by request id (the call ends 'cancelled'), and a newer request cancels the running one", async () => {
    progress.length = 0;
    let cancel: Promise<Envelope<unknown>> | undefined;
    const unsubscribe = app.services.events.subscribe((event) => {
      if (event === 'segment:progress' && !cancel) cancel = call('segment:cancel', { requestId: 'r2' });
    });
    const cancelled = await call('segment:run', { seriesId, index: 0, prompt: 'right lung', requestId: 'r2' });
    unsubscribe();
    expect(cancelled).toEqual({ ok: false, error: { code: 'cancelled', message: 'segment:run: cancelled' } });
    expect(await cancel).toEqual({ ok: true, value: { cancelled: true } });
    expect(await call('segment:cancel', { requestId: 'r2' })).toEqual({ ok: true, value: { cancelled: false } });

    const older = call('segment:run', { seriesId, index: 0, prompt: 'left lung', requestId: 'r3' });
    const newer = call('segment:run', { seriesId, index: 0, prompt: 'both lungs', requestId: 'r4' });
    expect(await older).toMatchObject({ ok: false, error: { code: 'cancelled' } });
    expect(await newer).toMatchObject({ ok: true, value: { requestId: 'r4' } });
  });

  it('refuses bad arguments and reports user errors as messages', async () => {
    expect(await call('segment:run', { seriesId, index: 0, prompt: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-args' },
    });
    expect(await call('segment:run', { seriesId, index: -1, prompt: 'x', requestId: 'a' })).toMatchObject({
      ok: false,
      error: { code: 'invalid-args' },
    });
    expect(await call('segment:run', { seriesId, index: 0, prompt: ' ', requestId: 'b' })).toMatchObject({
      ok: false,
      error: { code: 'failed', message: expect.stringContaining('the prompt is empty') },
    });
    expect(await call('segment:run', { seriesId: 'nope', index: 0, prompt: 'x', requestId: 'c' })).toMatchObject({
      ok: false,
      error: { code: 'failed', message: expect.stringContaining('no series nope') },
    });
    app.services.segmenter.setModelDir(join(dir, 'absent'));
    try {
      expect(await call('segment:run', { seriesId, index: 0, prompt: 'x', requestId: 'd' })).toMatchObject({
        ok: false,
        error: { code: 'failed', message: expect.stringContaining(`no model folder at ${join(dir, 'absent')}`) },
      });
    } finally {
      app.services.segmenter.setModelDir(join(dir, 'model'));
    }
  });
});

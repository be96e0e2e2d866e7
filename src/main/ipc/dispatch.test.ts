import { describe, expect, it } from 'vitest';
import { createApp } from '../app';
import { UserFacingError } from '../errors';
import { dispatch } from './dispatch';
import type { HandlerContext } from './handler-types';

const ctx = (): HandlerContext => ({ transport: 'http', signal: new AbortController().signal });

describe('dispatch', () => {
  const { handlers } = createApp();

  it('runs a valid call and wraps the result', async () => {
    const envelope = await dispatch(handlers, 'app:echo', { message: 'lung' }, ctx());
    expect(envelope.ok).toBe(true);
    if (envelope.ok) expect(envelope.value).toMatchObject({ message: 'lung' });
  });

  it('reports which transport served the call', async () => {
    const envelope = await dispatch(handlers, 'app:info', {}, { ...ctx(), transport: 'electron' });
    expect(envelope).toMatchObject({ ok: true, value: { name: 'NextMask', transport: 'electron' } });
  });

  it('rejects unknown channels, including inherited object keys', async () => {
    for (const channel of ['nope', 'constructor', '__proto__', 42]) {
      const envelope = await dispatch(handlers, channel, {}, ctx());
      expect(envelope).toMatchObject({ ok: false, error: { code: 'unknown-channel' } });
    }
  });

  it('rejects invalid arguments with a message naming the field', async () => {
    const envelope = await dispatch(handlers, 'app:echo', { message: 5 }, ctx());
    expect(envelope).toMatchObject({ ok: false, error: { code: 'invalid-args' } });
    if (!envelope.ok) expect(envelope.error.message).toMatch(/message: expected string/);
    const extra = await dispatch(handlers, 'app:echo', { message: 'x', evil: 1 }, ctx());
    expect(extra).toMatchObject({ ok: false, error: { code: 'invalid-args' } });
  });

  it('turns a thrown error into a failure envelope', async () => {
    const failing = {
      ...handlers,
      'app:echo': () => {
        throw new UserFacingError('the file is not DICOM');
      },
    };
    const envelope = await dispatch(failing, 'app:echo', { message: 'x' }, ctx());
    expect(envelope).toEqual({ ok: false, error: { code: 'failed', message: 'the file is not DICOM' } });
  });

  it('reports cancellation when the caller went away', async () => {
    const controller = new AbortController();
    const slow = {
      ...handlers,
      'app:echo': () => {
        controller.abort();
        throw new DOMException('aborted', 'AbortError');
      },
    };
    const envelope = await dispatch(
      slow,
      'app:echo',
      { message: 'x' },
      { transport: 'http', signal: controller.signal },
    );
    expect(envelope).toMatchObject({ ok: false, error: { code: 'cancelled' } });
  });
});

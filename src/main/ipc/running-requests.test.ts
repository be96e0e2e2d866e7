import { describe, expect, it } from 'vitest';
import { runningRequests } from './running-requests';

/** A request that runs until its signal aborts, then settles with 'aborted'. */
const untilAborted = (signal: AbortSignal) =>
  new Promise<string>((resolve) => signal.addEventListener('abort', () => resolve('aborted')));

describe('runningRequests', () => {
  it('cancels a request by its id, once, and forgets it when it settles', async () => {
    const running = runningRequests();
    const request = running.run('a', new AbortController().signal, untilAborted);
    expect(running.has('a')).toBe(true);
    expect(running.cancel('b')).toEqual({ cancelled: false });
    expect(running.cancel('a')).toEqual({ cancelled: true });
    await expect(request).resolves.toBe('aborted');
    expect(running.has('a')).toBe(false);
    expect(running.cancel('a')).toEqual({ cancelled: false });
  });

  it('aborts a request when its caller goes away, and an earlier one of the same id when a new one starts', async () => {
    const running = runningRequests();
    const caller = new AbortController();
    const first = running.run('a', caller.signal, untilAborted);
    const second = running.run('a', new AbortController().signal, untilAborted);
    await expect(first).resolves.toBe('aborted');
    // The first one settling leaves the second registered under the id.
    expect(running.has('a')).toBe(true);
    const third = running.run('b', caller.signal, untilAborted);
    caller.abort();
    await expect(third).resolves.toBe('aborted');
    running.abortAll();
    await expect(second).resolves.toBe('aborted');
    expect(running.has('a')).toBe(false);
  });

  it('forgets a request whose work throws, passing the error on', async () => {
    const running = runningRequests();
    await expect(
      running.run('a', new AbortController().signal, async () => Promise.reject(new Error('no'))),
    ).rejects.toThrow('no');
    expect(running.has('a')).toBe(false);
  });
});

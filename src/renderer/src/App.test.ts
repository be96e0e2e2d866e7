import { render, screen } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { NextmaskApi } from '../../shared/ipc';
import { IpcError } from '../../shared/ipc';
import App from './App.svelte';

function fakeApi(invoke: NextmaskApi['invoke']): NextmaskApi {
  return { invoke, on: () => () => {} };
}

describe('App shell', () => {
  it('shows what main reports about itself', async () => {
    const info = { name: 'NextMask', version: '9.9.9', transport: 'http', platform: 'linux', versions: { node: '20' } };
    const invoke = vi.fn(async (channel: string) => {
      if (channel === 'app:info') return info;
      throw new IpcError('unknown-channel', `not in this fake: ${channel}`);
    });
    render(App, { api: fakeApi(invoke as never) });
    expect(await screen.findByTestId('app-info')).toHaveProperty('textContent', 'NextMask 9.9.9 · http · linux');
    expect(invoke).toHaveBeenCalledWith('app:info', {});
  });

  it('says so when main cannot be reached', async () => {
    render(App, { api: fakeApi(async () => Promise.reject(new IpcError('unauthorized', 'missing or wrong token'))) });
    expect((await screen.findByRole('alert')).textContent).toContain('missing or wrong token');
  });
});

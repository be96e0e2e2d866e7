import { describe, expect, it, vi } from 'vitest';
import { type Events, IpcError, type NextmaskApi } from '../../../shared/ipc';
import type { PacsSeries, RetrieveResult } from '../../../shared/pacs-types';
import { type ConnectionForm, PacsSession } from './pacs-session.svelte';

const FORM: ConnectionForm = {
  name: 'orthanc',
  baseUrl: 'http://localhost:8042/dicom-web',
  qidoUrl: '',
  wadoUrl: '',
  stowUrl: '',
  auth: 'basic',
  username: 'nextmask',
  secret: 'typed',
  caFile: '',
  timeoutSeconds: 30,
};

const SERIES: PacsSeries = {
  studyInstanceUid: '1.2',
  seriesInstanceUid: '1.2.3',
  modality: 'CT',
  seriesNumber: 2,
  description: '',
  instanceCount: 3,
};

/** A fake main: records calls; pacs:retrieve waits until the test settles it; progress is pushed by `emit`. */
function fakeMain() {
  const calls: { channel: string; args: Record<string, unknown> }[] = [];
  let settle: (value: unknown) => void = () => undefined;
  let listener: ((p: Events['pacs:progress']) => void) | undefined;
  const invoke = vi.fn(async (channel: string, args: Record<string, unknown>) => {
    calls.push({ channel, args });
    if (channel === 'pacs:studies') return { studies: [], offset: 0, limit: 25, more: false };
    if (channel === 'pacs:retrieve') return new Promise((resolve) => (settle = resolve));
    if (channel === 'pacs:test') throw new IpcError('failed', 'orthanc: test: the server refused the credentials');
    return [];
  });
  const api = {
    invoke,
    on: (_event: string, l: (p: Events['pacs:progress']) => void) => {
      listener = l;
      return () => undefined;
    },
  } as unknown as NextmaskApi;
  return { api, calls, settle: (v: unknown) => settle(v), emit: (p: Events['pacs:progress']) => listener?.(p) };
}

describe('PacsSession', () => {
  it('sorts by a column, then flips the order on a second click', async () => {
    const main = fakeMain();
    const pacs = new PacsSession(main.api, () => undefined);
    pacs.active = 'orthanc';
    await pacs.sort('patientName');
    await pacs.sort('patientName');
    const queries = main.calls.filter((c) => c.channel === 'pacs:studies').map((c) => c.args.query);
    expect(queries).toMatchObject([
      { sortBy: 'patientName', descending: false, offset: 0, limit: 25 },
      { sortBy: 'patientName', descending: true, offset: 0, limit: 25 },
    ]);
  });

  it("shows its own retrieve's progress and hands the opened series to the viewer", async () => {
    const main = fakeMain();
    const opened = vi.fn();
    const pacs = new PacsSession(main.api, opened);
    pacs.active = 'orthanc';
    const running = pacs.retrieve(SERIES);
    const requestId = main.calls.find((c) => c.channel === 'pacs:retrieve')?.args.requestId as string;
    main.emit({ requestId: 'someone else', done: 9, total: 9, failed: 0 });
    main.emit({ requestId, done: 1, total: 3, failed: 0 });
    expect(pacs.progress).toEqual({ requestId, done: 1, total: 3, failed: 0 });
    const result: RetrieveResult = {
      opened: { series: [], opened: [], errors: [] },
      fetched: 2,
      cached: 0,
      failed: [],
    };
    result.failed.push({ sopInstanceUid: '1.2.3.4', reason: 'damaged' });
    main.settle(result);
    await running;
    expect(pacs.progress).toBeNull();
    expect(pacs.note).toBe('Retrieved 2 instances, 1 failed');
    expect(opened).toHaveBeenCalledWith(result.opened);
  });

  it("shows main's message when a call fails", async () => {
    const pacs = new PacsSession(fakeMain().api, () => undefined);
    await pacs.test(FORM);
    expect(pacs.error).toBe('orthanc: test: the server refused the credentials');
  });

  it("tests the form's values, not a saved connection: nothing needs saving first", async () => {
    const main = fakeMain();
    const pacs = new PacsSession(main.api, () => undefined);
    await pacs.test({ ...FORM, baseUrl: ' http://pacs:8042/dicom-web ', timeoutSeconds: 5 });
    expect(main.calls.map((c) => c.channel)).toEqual(['pacs:test']);
    expect(main.calls[0]?.args).toEqual({
      connection: {
        name: 'orthanc',
        baseUrl: 'http://pacs:8042/dicom-web',
        auth: 'basic',
        username: 'nextmask',
        timeoutMs: 5000,
      },
      secret: 'typed',
    });
  });

  it('says in words what is wrong with the form, and calls nothing', async () => {
    const main = fakeMain();
    const pacs = new PacsSession(main.api, () => undefined);
    await pacs.test({ ...FORM, baseUrl: 'localhost:8042/dicom-web' });
    expect(pacs.error).toBe(
      'the DICOMweb URL must start with http:// or https:// and hold no spaces, e.g. http://localhost:8042/dicom-web',
    );
    await pacs.save({ ...FORM, name: 'my/pacs' });
    expect(pacs.error).toBe('the name may hold letters, digits, spaces, ".", "_" and "-"');
    expect(main.calls).toEqual([]);
  });
});

// The PACS panel's state and its calls to main: connections, the study search and its page and
// sort, a study's series, one retrieve at a time with progress and cancel, and the send-back of the
// shown series with each instance's result. A retrieved series is handed to the viewer's session as
// any opened folder is.
import type { NextmaskApi } from '../../../shared/ipc';
import {
  connectionSchema,
  type OutboxItem,
  type PacsAuthKind,
  type PacsConnection,
  type PacsConnectionView,
  type PacsProgress,
  type PacsSeries,
  type PacsStudy,
  type RetrieveResult,
  type SendResult,
  type StudyQuery,
  type StudySortKey,
} from '../../../shared/pacs-types';
import { ValidationError } from '../../../shared/validate';
import type { OpenResult } from '../../../shared/viewer-types';

export interface ConnectionForm {
  name: string;
  baseUrl: string;
  /** Separate QIDO-RS, WADO-RS and STOW-RS roots; empty: the DICOMweb URL. */
  qidoUrl: string;
  wadoUrl: string;
  stowUrl: string;
  auth: PacsAuthKind;
  username: string;
  secret: string;
  caFile: string;
  timeoutSeconds: number;
}

export const PAGE_SIZE = 25;

/** Orthanc's DICOMweb plugin on this machine, as it comes: the example the panel gives. */
export const EXAMPLE_URL = 'http://localhost:8042/dicom-web';

// What each field of the form must hold, said to the user when the contract's schema refuses it.
const FIELD_RULES: Record<string, string> = {
  name: 'the name may hold letters, digits, spaces, ".", "_" and "-"',
  baseUrl: `the DICOMweb URL must start with http:// or https:// and hold no spaces, e.g. ${EXAMPLE_URL}`,
  qidoUrl: 'the QIDO-RS URL must start with http:// or https:// and hold no spaces',
  wadoUrl: 'the WADO-RS URL must start with http:// or https:// and hold no spaces',
  stowUrl: 'the STOW-RS URL must start with http:// or https:// and hold no spaces',
  username: 'the user name is too long',
  caFile: 'the CA file path is too long',
  timeoutMs: 'the timeout must be between 0.1 and 600 seconds',
};

/** The form as a connection, checked by the contract's own schema: the connection, or what is wrong in words. */
export function connectionOf(form: ConnectionForm): PacsConnection | string {
  const connection = {
    name: form.name.trim(),
    baseUrl: form.baseUrl.trim(),
    auth: form.auth,
    timeoutMs: Math.round(form.timeoutSeconds * 1000),
    ...(form.qidoUrl.trim() ? { qidoUrl: form.qidoUrl.trim() } : {}),
    ...(form.wadoUrl.trim() ? { wadoUrl: form.wadoUrl.trim() } : {}),
    ...(form.stowUrl.trim() ? { stowUrl: form.stowUrl.trim() } : {}),
    ...(form.username.trim() ? { username: form.username.trim() } : {}),
    ...(form.caFile.trim() ? { caFile: form.caFile.trim() } : {}),
  };
  try {
    return connectionSchema.parse(connection) as PacsConnection;
  } catch (err) {
    if (!(err instanceof ValidationError)) throw err;
    return FIELD_RULES[err.path.split('.')[0] ?? ''] ?? err.message;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class PacsSession {
  connections = $state<PacsConnectionView[]>([]);
  active = $state<string>('');
  note = $state<string | null>(null);
  error = $state<string | null>(null);
  busy = $state(false);

  query = $state<StudyQuery>({ sortBy: 'studyDate', descending: true });
  studies = $state<PacsStudy[]>([]);
  more = $state(false);
  studyUid = $state<string | null>(null);
  series = $state<PacsSeries[]>([]);

  progress = $state<PacsProgress | null>(null);
  retrieved = $state<RetrieveResult | null>(null);
  sent = $state<SendResult | null>(null);
  outbox = $state<OutboxItem[]>([]);
  private requestId: string | null = null;

  constructor(
    private readonly api: NextmaskApi,
    private readonly onOpened: (opened: OpenResult) => void,
  ) {
    api.on('pacs:progress', (p) => {
      if (p.requestId === this.requestId) this.progress = p;
    });
  }

  private async call<T>(run: () => Promise<T>): Promise<T | undefined> {
    this.busy = true;
    this.error = null;
    try {
      return await run();
    } catch (err) {
      this.error = message(err);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  async load(): Promise<void> {
    const [list, outbox] = (await this.call(() =>
      Promise.all([this.api.invoke('pacs:connections', {}), this.api.invoke('pacs:outbox', {})]),
    )) ?? [this.connections, this.outbox];
    this.connections = list;
    this.outbox = outbox;
    if (!this.active && list[0]) this.active = list[0].name;
  }

  /** The form's connection, or null with the problem shown. */
  private checked(form: ConnectionForm): PacsConnection | null {
    const connection = connectionOf(form);
    if (typeof connection !== 'string') return connection;
    this.error = connection;
    this.note = null;
    return null;
  }

  async save(form: ConnectionForm): Promise<void> {
    const connection = this.checked(form);
    if (!connection) return;
    const list = await this.call(() =>
      this.api.invoke('pacs:save-connection', { connection, ...(form.secret ? { secret: form.secret } : {}) }),
    );
    if (!list) return;
    this.connections = list;
    this.active = connection.name;
    this.note = `Saved ${connection.name}`;
  }

  /** Tests the form's values, saved or not (a password left empty: the one saved under that name). */
  async test(form: ConnectionForm): Promise<void> {
    const connection = this.checked(form);
    if (!connection) return;
    const secret = form.auth !== 'none' && form.secret ? { secret: form.secret } : {};
    const result = await this.call(() => this.api.invoke('pacs:test', { connection, ...secret }));
    if (result) this.note = result.message;
  }

  async search(offset = 0): Promise<void> {
    const query = { ...this.query, offset, limit: PAGE_SIZE };
    const page = await this.call(() => this.api.invoke('pacs:studies', { name: this.active, query }));
    if (!page) return;
    this.query = query;
    this.studies = page.studies;
    this.more = page.more;
    this.note = `${page.studies.length} studies`;
  }

  /** Clicking a column: sort by it, or flip the order when it already sorts. */
  sort(key: StudySortKey): Promise<void> {
    const descending = this.query.sortBy === key ? !this.query.descending : false;
    this.query = { ...this.query, sortBy: key, descending };
    return this.search(this.query.offset ?? 0);
  }

  async openStudy(studyInstanceUid: string): Promise<void> {
    this.studyUid = studyInstanceUid;
    const series = await this.call(() => this.api.invoke('pacs:series', { name: this.active, studyInstanceUid }));
    this.series = series ?? [];
  }

  async retrieve(series: PacsSeries): Promise<void> {
    const requestId = crypto.randomUUID();
    this.requestId = requestId;
    this.progress = { requestId, done: 0, total: series.instanceCount ?? 0, failed: 0 };
    this.retrieved = null;
    const result = await this.call(() =>
      this.api.invoke('pacs:retrieve', {
        name: this.active,
        studyInstanceUid: series.studyInstanceUid,
        seriesInstanceUid: series.seriesInstanceUid,
        requestId,
      }),
    );
    this.requestId = null;
    this.progress = null;
    if (!result) return;
    this.retrieved = result;
    this.note = `Retrieved ${result.fetched + result.cached} instances${result.failed.length ? `, ${result.failed.length} failed` : ''}`;
    this.onOpened(result.opened);
  }

  async cancel(): Promise<void> {
    if (this.requestId) await this.api.invoke('pacs:cancel', { requestId: this.requestId });
  }

  async send(seriesId: string, deidentify: boolean): Promise<void> {
    const result = await this.call(() => this.api.invoke('pacs:send', { name: this.active, seriesId, deidentify }));
    if (!result) return;
    this.sent = result;
    this.outbox = result.outbox;
    const ok = result.instances.filter((i) => i.ok).length;
    this.note = `Sent ${ok} of ${result.instances.length}${result.outbox.length ? `; ${result.outbox.length} queued` : ''}`;
  }

  async retry(): Promise<void> {
    const result = await this.call(() => this.api.invoke('pacs:retry', {}));
    if (!result) return;
    this.sent = result;
    this.outbox = result.outbox;
  }
}

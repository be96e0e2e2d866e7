// One DICOMweb endpoint: QIDO-RS search, WADO-RS retrieve of one instance, STOW-RS store, through
// dicomweb-client (URLs, Accept headers, multipart encoding and decoding) over NodeXhr (TLS trust,
// timeouts, cancellation). Every failure becomes one sentence a radiographer can act on.
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { PacsConnection, PacsSeries, SentInstance, StudyPage, StudyQuery } from '../../shared/pacs-types';
import { requireCjs } from '../dicom/cjs';
import { parseDataSet } from '../dicom/parse';
import { abortError, UserFacingError } from '../errors';
import { type DicomJson, sequence, TAG, text, toSeries, toStudy } from './dicom-json';
import { NodeXhr, TimeoutError } from './node-xhr';
import { sortStudies, studyQueryParams } from './study-query';

// The part of dicomweb-client used here; its bundled typings describe media types wrongly.
interface RequestOptions {
  instance: NodeXhr;
  responseType?: 'json' | 'arraybuffer';
  progressCallback?: (event: { loaded: number }) => void;
}
interface DicomWebClient {
  qidoURL: string;
  wadoURL: string;
  stowURL: string;
  searchForStudies(o: { queryParams?: Record<string, string>; request: RequestOptions }): Promise<DicomJson[]>;
  searchForSeries(o: {
    studyInstanceUID: string;
    queryParams?: Record<string, string>;
    request: RequestOptions;
  }): Promise<DicomJson[]>;
  searchForInstances(o: {
    studyInstanceUID: string;
    seriesInstanceUID: string;
    queryParams?: Record<string, string>;
    request: RequestOptions;
  }): Promise<DicomJson[]>;
  /**
   * What retrieveInstance calls once it has checked the media types; called directly because that
   * check (0.11.3) reduces application/dicom to "application/" and refuses it, so the public method
   * cannot ask for transfer-syntax=*, and without it a server may transcode.
   */
  _httpGetMultipartApplicationDicom(
    url: string,
    mediaTypes: { mediaType: string; transferSyntaxUID?: string }[],
    params: false,
    request: RequestOptions,
  ): Promise<ArrayBuffer[]>;
  storeInstances(o: { datasets: ArrayBuffer[]; request: RequestOptions }): Promise<DicomJson | string | null>;
}
type ClientConstructor = new (options: {
  url: string;
  headers: Record<string, string>;
  verbose: boolean;
  singlepart: false;
}) => DicomWebClient;

const { api } = requireCjs('dicomweb-client') as { api: { DICOMwebClient: ClientConstructor } };

/** Failures from the library carry the HTTP status and the request (ours, with `failure` for status 0). */
interface RequestFailure {
  status?: number;
  request?: NodeXhr;
  response?: unknown;
}

const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

/** Node's roots, the operating system's (where Node can read them) and the connection's extra CA file. */
function trustedCertificates(caFile: string): string[] {
  const system = (tls as { getCACertificates?: (kind: string) => string[] }).getCACertificates?.('system');
  const bundles = system ?? SYSTEM_BUNDLES.flatMap((path) => readIfPresent(path));
  let extra: string;
  try {
    extra = readFileSync(caFile, 'utf8');
  } catch (err) {
    throw new UserFacingError(`cannot read the CA file ${caFile}: ${(err as Error).message}`);
  }
  return [...tls.rootCertificates, ...bundles, extra];
}

function readIfPresent(path: string): string[] {
  try {
    return [readFileSync(path, 'utf8')];
  } catch {
    return [];
  }
}

/** Why a delivered Part 10 file cannot be the instance asked for, or null when it can. */
async function damageOf(bytes: Uint8Array, sopInstanceUid: string): Promise<string | null> {
  let ds: Awaited<ReturnType<typeof parseDataSet>>;
  try {
    ds = await parseDataSet(bytes);
  } catch (err) {
    return (err as Error).message;
  }
  const sop = ds.string('x00080018');
  if (sop !== sopInstanceUid) return `it holds ${sop ?? 'no SOP Instance UID'}`;
  const pixels = ds.elements.x7fe00010;
  if (pixels && pixels.dataOffset + pixels.length > bytes.byteLength) return 'its pixel data is cut short';
  return null;
}

function authorization(connection: PacsConnection, secret: string | undefined): Record<string, string> {
  if (connection.auth === 'none') return {};
  if (!secret)
    throw new UserFacingError(`${connection.name}: no ${connection.auth === 'basic' ? 'password' : 'token'} stored`);
  if (connection.auth === 'bearer') return { Authorization: `Bearer ${secret}` };
  const pair = `${connection.username ?? ''}:${secret}`;
  return { Authorization: `Basic ${Buffer.from(pair, 'utf8').toString('base64')}` };
}

export class PacsClient {
  private readonly client: DicomWebClient;
  private readonly ca: string[] | undefined;

  constructor(
    readonly connection: PacsConnection,
    secret: string | undefined,
  ) {
    this.ca = connection.caFile ? trustedCertificates(connection.caFile) : undefined;
    this.client = new api.DICOMwebClient({
      url: connection.baseUrl.replace(/\/+$/, ''),
      headers: authorization(connection, secret),
      verbose: false,
      singlepart: false,
    });
    if (connection.qidoUrl) this.client.qidoURL = connection.qidoUrl.replace(/\/+$/, '');
    if (connection.wadoUrl) this.client.wadoURL = connection.wadoUrl.replace(/\/+$/, '');
    if (connection.stowUrl) this.client.stowURL = connection.stowUrl.replace(/\/+$/, '');
  }

  private request(signal: AbortSignal | undefined, extra: Omit<RequestOptions, 'instance'> = {}): RequestOptions {
    const instance = new NodeXhr({
      timeoutMs: this.connection.timeoutMs,
      ...(this.ca ? { ca: this.ca } : {}),
      ...(signal ? { signal } : {}),
    });
    return { instance, ...extra };
  }

  /** Runs one call; its failure, whatever the layer, comes back as a UserFacingError (or an AbortError). */
  private async call<T>(what: string, signal: AbortSignal | undefined, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (signal?.aborted) throw abortError('cancelled');
      throw this.explain(what, err);
    }
  }

  explain(what: string, err: unknown): Error {
    if (err instanceof UserFacingError) return err;
    const { status, request } = (err ?? {}) as RequestFailure;
    const where = `${this.connection.name}: ${what}`;
    if (status === undefined || status === 0) {
      const cause = request?.failure ?? (err instanceof Error ? err : null);
      const code = (cause as NodeJS.ErrnoException | null)?.code ?? '';
      if (cause instanceof TimeoutError)
        return new UserFacingError(`${where}: the server sent ${cause.message} (timeout)`);
      if (code === 'ECONNREFUSED') return new UserFacingError(`${where}: connection refused (is the server running?)`);
      if (code === 'ENOTFOUND') return new UserFacingError(`${where}: unknown host in ${this.connection.baseUrl}`);
      if (code === 'ECONNRESET') return new UserFacingError(`${where}: the server closed the connection`);
      if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(code)) {
        return new UserFacingError(`${where}: the server's certificate is not trusted (${code}); add its CA file`);
      }
      return new UserFacingError(`${where}: ${cause?.message ?? String(err)}`);
    }
    if (status === 401 || status === 403) {
      const credentials = this.connection.auth === 'bearer' ? 'the token' : 'the user name and password';
      return new UserFacingError(`${where}: the server refused the credentials (HTTP ${status}); check ${credentials}`);
    }
    if (status === 404) return new UserFacingError(`${where}: not found on the server (HTTP 404)`);
    return new UserFacingError(`${where}: the server answered HTTP ${status}`);
  }

  async test(signal?: AbortSignal): Promise<{ message: string; ms: number }> {
    const started = performance.now();
    await this.call('test', signal, () =>
      this.client.searchForStudies({ queryParams: { limit: '1' }, request: this.request(signal) }),
    );
    const ms = Math.round(performance.now() - started);
    return { message: `${this.connection.name}: connected, QIDO-RS answered in ${ms} ms`, ms };
  }

  async searchStudies(query: StudyQuery, signal?: AbortSignal): Promise<StudyPage> {
    const { params, offset, limit } = studyQueryParams(query);
    const found = await this.call('study search', signal, () =>
      this.client.searchForStudies({ queryParams: params, request: this.request(signal) }),
    );
    const studies = sortStudies((found ?? []).map(toStudy), query);
    return { studies, offset, limit, more: studies.length >= limit };
  }

  async searchSeries(studyInstanceUid: string, signal?: AbortSignal): Promise<PacsSeries[]> {
    const found = await this.call('series search', signal, () =>
      this.client.searchForSeries({
        studyInstanceUID: studyInstanceUid,
        queryParams: { includefield: `${TAG.SeriesDescription},${TAG.NumberOfSeriesRelatedInstances}` },
        request: this.request(signal),
      }),
    );
    return (found ?? [])
      .map((ds) => ({ ...toSeries(ds), studyInstanceUid }))
      .sort((a, b) => (a.seriesNumber ?? 0) - (b.seriesNumber ?? 0));
  }

  /** The SOP Instance UIDs of a series, in instance-number order. */
  async listInstances(studyInstanceUid: string, seriesInstanceUid: string, signal?: AbortSignal): Promise<string[]> {
    const found = await this.call('instance search', signal, () =>
      this.client.searchForInstances({
        studyInstanceUID: studyInstanceUid,
        seriesInstanceUID: seriesInstanceUid,
        queryParams: { includefield: TAG.InstanceNumber },
        request: this.request(signal),
      }),
    );
    const number = (ds: DicomJson) => Number(text(ds, TAG.InstanceNumber)) || 0;
    return (found ?? [])
      .sort((a, b) => number(a) - number(b))
      .map((ds) => text(ds, TAG.SOPInstanceUID))
      .filter(Boolean);
  }

  /** One instance as the server stores it (transfer-syntax=*: no transcoding), Part 10 bytes. */
  async retrieveInstance(
    ids: { studyInstanceUid: string; seriesInstanceUid: string; sopInstanceUid: string },
    signal?: AbortSignal,
  ): Promise<Uint8Array> {
    const url = `${this.client.wadoURL}/studies/${ids.studyInstanceUid}/series/${ids.seriesInstanceUid}/instances/${ids.sopInstanceUid}`;
    const parts = await this.call(`retrieve of ${ids.sopInstanceUid}`, signal, () =>
      this.client._httpGetMultipartApplicationDicom(
        url,
        [{ mediaType: 'application/dicom', transferSyntaxUID: '*' }],
        false,
        this.request(signal),
      ),
    );
    const bytes = parts?.[0];
    const where = `${this.connection.name}: retrieve of ${ids.sopInstanceUid}`;
    if (!bytes || bytes.byteLength === 0) throw new UserFacingError(`${where}: the server sent no data`);
    const instance = new Uint8Array(bytes);
    const damage = await damageOf(instance, ids.sopInstanceUid);
    if (damage) throw new UserFacingError(`${where}: the server sent a damaged file (${damage})`);
    return instance;
  }

  /** STOW-RS of Part 10 files; the answer's Referenced/Failed SOP sequences give each one's fate. */
  async store(files: { sopInstanceUid: string; bytes: Uint8Array }[], signal?: AbortSignal): Promise<SentInstance[]> {
    const datasets = files.map(({ bytes }) => bytes.slice().buffer as ArrayBuffer);
    let answer: unknown;
    let failure: string | undefined;
    try {
      answer = await this.client.storeInstances({
        datasets,
        request: this.request(signal, { responseType: 'json' }),
      });
    } catch (err) {
      if (signal?.aborted) throw abortError('cancelled');
      answer = (err as RequestFailure).response;
      failure = this.explain('send', err).message;
    }
    const body = (answer && typeof answer === 'object' ? answer : {}) as DicomJson;
    const stored = new Set(sequence(body, TAG.ReferencedSOPSequence).map((r) => text(r, TAG.ReferencedSOPInstanceUID)));
    const failed = new Map(
      sequence(body, TAG.FailedSOPSequence).map((r) => [
        text(r, TAG.ReferencedSOPInstanceUID),
        text(r, TAG.FailureReason),
      ]),
    );
    return files.map(({ sopInstanceUid }) => {
      if (stored.has(sopInstanceUid) && !failed.has(sopInstanceUid)) return { sopInstanceUid, ok: true };
      const code = failed.get(sopInstanceUid);
      const reason = code
        ? `the server refused it (failure reason ${code})`
        : (failure ?? 'not acknowledged by the server');
      return { sopInstanceUid, ok: false, reason };
    });
  }
}

// `nextmask pacs query|retrieve|send|outbox`: the PACS from the command line, for scripts and tests.
// The server is a connection saved in the workspace (--connection NAME) or given here (--url …); the
// password or token comes from NEXTMASK_PACS_SECRET, never from an argument (arguments show in `ps`).
// Retrieved series land in the workspace's cache (NEXTMASK_WORKSPACE), exactly as the app caches them.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_TIMEOUT_MS } from '../main/pacs/connections';
import { MemorySecrets } from '../main/pacs/secrets';
import { cacheLimitFromEnv, PacsService } from '../main/pacs/service';
import { Annotations, defaultWorkspaceDir } from '../main/store/annotations';
import type { PacsConnection, StudyQuery, StudySortKey } from '../shared/pacs-types';
import { STUDY_SORT_KEYS } from '../shared/pacs-types';

export const PACS_USAGE = `usage:
  nextmask pacs query [--patient-name N] [--patient-id ID] [--from YYYYMMDD] [--to YYYYMMDD] [--modality CT]
                      [--accession A] [--description D] [--limit N] [--offset N] [--sort ${STUDY_SORT_KEYS.join('|')}] [--desc]
  nextmask pacs query --study <StudyInstanceUID>          (its series)
  nextmask pacs retrieve <StudyInstanceUID> [--series <SeriesInstanceUID> ...]
  nextmask pacs send <seg.dcm>
  nextmask pacs outbox [--retry]
server: --connection <name> (saved in the workspace) or --url <DICOMweb root> [--qido-url U] [--wado-url U]
        [--stow-url U] [--auth none|basic|bearer] [--user U] [--ca <pem file>] [--timeout <seconds>]
secret: NEXTMASK_PACS_SECRET (password or token); add --json for one JSON line`;

const OPTIONS = {
  connection: { type: 'string' },
  url: { type: 'string' },
  'qido-url': { type: 'string' },
  'wado-url': { type: 'string' },
  'stow-url': { type: 'string' },
  auth: { type: 'string' },
  user: { type: 'string' },
  ca: { type: 'string' },
  timeout: { type: 'string' },
  'patient-name': { type: 'string' },
  'patient-id': { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  modality: { type: 'string' },
  accession: { type: 'string' },
  description: { type: 'string' },
  limit: { type: 'string' },
  offset: { type: 'string' },
  sort: { type: 'string' },
  desc: { type: 'boolean', default: false },
  study: { type: 'string' },
  series: { type: 'string', multiple: true },
  retry: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

class UsageError extends Error {}

function whole(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  return n;
}

/** The connection the flags describe, or the saved one they name. */
function connectionOf(values: Values): string | PacsConnection {
  if (values.connection) return values.connection;
  if (!values.url) throw new UsageError('say which server: --connection <name> or --url <DICOMweb root>');
  const auth = values.auth ?? (values.user ? 'basic' : 'none');
  if (auth !== 'none' && auth !== 'basic' && auth !== 'bearer')
    throw new UsageError(`--auth must be none, basic or bearer`);
  const seconds = values.timeout === undefined ? DEFAULT_TIMEOUT_MS / 1000 : Number(values.timeout);
  if (!(seconds > 0)) throw new UsageError(`--timeout must be a number of seconds, got "${values.timeout}"`);
  const connection: PacsConnection = { name: 'command line', baseUrl: values.url, auth, timeoutMs: seconds * 1000 };
  if (values['qido-url']) connection.qidoUrl = values['qido-url'];
  if (values['wado-url']) connection.wadoUrl = values['wado-url'];
  if (values['stow-url']) connection.stowUrl = values['stow-url'];
  if (values.user) connection.username = values.user;
  if (values.ca) connection.caFile = resolve(values.ca);
  return connection;
}

function queryOf(values: Values): StudyQuery {
  const query: StudyQuery = {};
  if (values['patient-name']) query.patientName = values['patient-name'];
  if (values['patient-id']) query.patientId = values['patient-id'];
  for (const [flag, key] of [
    ['from', 'dateFrom'],
    ['to', 'dateTo'],
  ] as const) {
    const value = values[flag];
    if (value === undefined) continue;
    if (!/^\d{8}$/.test(value)) throw new UsageError(`--${flag} must be a date as YYYYMMDD, got "${value}"`);
    query[key] = value;
  }
  if (values.modality) query.modality = values.modality.toUpperCase();
  if (values.accession) query.accession = values.accession;
  if (values.description) query.description = values.description;
  const limit = whole('limit', values.limit);
  if (limit !== undefined) query.limit = limit;
  const offset = whole('offset', values.offset);
  if (offset !== undefined) query.offset = offset;
  if (values.sort !== undefined) {
    if (!(STUDY_SORT_KEYS as readonly string[]).includes(values.sort)) {
      throw new UsageError(`--sort must be one of ${STUDY_SORT_KEYS.join(', ')}`);
    }
    query.sortBy = values.sort as StudySortKey;
  }
  if (values.desc) query.descending = true;
  return query;
}

function print(json: boolean, value: unknown, lines: string[]): void {
  process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${lines.join('\n')}\n`);
}

/** The service as the CLI runs it: the workspace's connections and cache, the secret from the environment. */
export function cliPacsService(): { service: PacsService; close(): void } {
  const dir = defaultWorkspaceDir();
  const annotations = new Annotations(dir, {
    summary: () => {
      throw new Error('no series are open on the command line');
    },
    framePath: () => Promise.reject(new Error('no series are open on the command line')),
    framePaths: () => Promise.reject(new Error('no series are open on the command line')),
  });
  const secrets = new MemorySecrets();
  const service = new PacsService({
    dir,
    secrets,
    images: {
      open: () => Promise.reject(new Error('the command line does not open series')),
      list: () => [],
    },
    exportSeg: () => Promise.reject(new Error('the command line sends SEG files: nextmask pacs send <seg.dcm>')),
    lastSaved: (uid) => annotations.lastSaved(uid),
    cacheBytes: cacheLimitFromEnv(),
  });
  const secret = process.env.NEXTMASK_PACS_SECRET;
  if (secret) {
    secrets.set('command line', secret);
    for (const c of service.connections.list()) secrets.set(c.name, secret);
  }
  return { service, close: () => annotations.close() };
}

export async function pacsCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true }));
    if (!action || !['query', 'retrieve', 'send', 'outbox'].includes(action)) {
      throw new UsageError(action ? `unknown action "${action}"` : 'say what to do');
    }
  } catch (err) {
    process.stderr.write(`nextmask pacs: ${(err as Error).message}\n${PACS_USAGE}\n`);
    return 2;
  }
  const { service, close } = cliPacsService();
  try {
    return await run(action, values, positionals, service);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`nextmask pacs ${action}: ${err.message}\n${PACS_USAGE}\n`);
    return 2;
  } finally {
    close();
  }
}

async function run(action: string, values: Values, positionals: string[], service: PacsService): Promise<number> {
  const json = values.json;
  if (action === 'outbox') {
    const inline = values.url || values.connection ? connectionOf(values) : undefined;
    const result = !values.retry
      ? { instances: [], outbox: await service.outbox.list() }
      : inline
        ? await service.sendQueued(inline)
        : await service.retry();
    print(json, result, [
      ...result.instances.map(
        (i) => `${i.ok ? 'sent' : 'failed'} ${i.sopInstanceUid}${i.reason ? `: ${i.reason}` : ''}`,
      ),
      `${result.outbox.length} waiting in the outbox`,
      ...result.outbox.map((o) => `  ${o.sopInstanceUid} → ${o.connection} (${o.attempts} tries) ${o.lastError}`),
    ]);
    return result.outbox.length && values.retry ? 1 : 0;
  }
  const connection = connectionOf(values);
  if (action === 'query') {
    if (positionals.length) throw new UsageError(`query takes no positional arguments`);
    if (values.study) {
      const series = await service.series(connection, values.study);
      print(
        json,
        series,
        series.map(
          (s) =>
            `${s.seriesInstanceUid}  ${s.modality.padEnd(4)} #${s.seriesNumber ?? '-'}  ${s.instanceCount ?? '?'} instances  ${s.description}`,
        ),
      );
      return 0;
    }
    const page = await service.studies(connection, queryOf(values));
    print(json, page, [
      ...page.studies.map(
        (s) =>
          `${s.studyInstanceUid}  ${s.studyDate || '--------'}  ${s.patientId}  ${s.patientName}  ${s.modalities.join('/')}  ${s.accession}  ${s.description}`,
      ),
      `${page.studies.length} studies${page.more ? ' (more: --offset)' : ''}`,
    ]);
    return 0;
  }
  if (action === 'retrieve') {
    if (positionals.length !== 1) throw new UsageError('retrieve takes one StudyInstanceUID');
    const studyInstanceUid = positionals[0] as string;
    const seriesUids = values.series?.length
      ? values.series
      : (await service.series(connection, studyInstanceUid)).map((s) => s.seriesInstanceUid);
    const results = [];
    for (const seriesInstanceUid of seriesUids) {
      const got = await service.fetch(
        connection,
        { studyInstanceUid, seriesInstanceUid },
        {
          onProgress: (p) => {
            if (!json)
              process.stderr.write(
                `\r${seriesInstanceUid}: ${p.done}/${p.total}${p.failed ? `, ${p.failed} failed` : ''}`,
              );
          },
        },
      );
      if (!json) process.stderr.write('\n');
      results.push({ seriesInstanceUid, folder: service.cache.folder(seriesInstanceUid), ...got });
    }
    await service.cache.evict();
    const failed = results.flatMap((r) => r.failed);
    print(json, results, [
      ...results.map((r) => `${r.folder}: ${r.fetched} fetched, ${r.cached} already cached, ${r.failed.length} failed`),
      ...failed.map((f) => `failed ${f.sopInstanceUid}: ${f.reason}`),
    ]);
    return failed.length ? 1 : 0;
  }
  if (positionals.length !== 1) throw new UsageError('send takes one DICOM file');
  const result = await service.sendFile(connection, resolve(positionals[0] as string));
  print(json, result, [
    ...result.instances.map((i) => `${i.ok ? 'sent' : 'failed'} ${i.sopInstanceUid}${i.reason ? `: ${i.reason}` : ''}`),
    ...(result.outbox.length ? [`${result.outbox.length} waiting in the outbox (nextmask pacs outbox --retry)`] : []),
  ]);
  return result.instances.every((i) => i.ok) ? 0 : 1;
}

// The PACS IPC channels (connections, QIDO-RS search, WADO-RS retrieve into the local cache, STOW-RS
// send-back of the app's SEG), their argument schemas, results and the retrieve progress event,
// merged into the app's contract in src/shared/ipc.ts. Secrets travel in only: no channel returns one.
import * as v from './validate';
import type { OpenResult } from './viewer-types';

export type PacsAuthKind = 'none' | 'basic' | 'bearer';

/** A DICOMweb endpoint as the settings keep it (no secret: that lives in the secret store). */
export interface PacsConnection {
  name: string;
  /** DICOMweb root, e.g. http://pacs:8042/dicom-web. */
  baseUrl: string;
  /** QIDO-RS, WADO-RS and STOW-RS roots when they differ from baseUrl. */
  qidoUrl?: string;
  wadoUrl?: string;
  stowUrl?: string;
  auth: PacsAuthKind;
  /** Basic auth's user name. */
  username?: string;
  /** A PEM file of extra certificate authorities, trusted on top of the system's. */
  caFile?: string;
  /** A request with no bytes from the server for this long fails. */
  timeoutMs: number;
}

export interface PacsConnectionView extends PacsConnection {
  /** Whether a password or token is stored for it. */
  hasSecret: boolean;
}

export const STUDY_SORT_KEYS = ['studyDate', 'patientName', 'patientId', 'accession', 'description'] as const;
export type StudySortKey = (typeof STUDY_SORT_KEYS)[number];

export interface StudyQuery {
  patientName?: string;
  patientId?: string;
  /** YYYYMMDD, inclusive. */
  dateFrom?: string;
  dateTo?: string;
  modality?: string;
  accession?: string;
  description?: string;
  offset?: number;
  limit?: number;
  sortBy?: StudySortKey;
  descending?: boolean;
}

export interface PacsStudy {
  studyInstanceUid: string;
  patientName: string;
  patientId: string;
  studyDate: string;
  accession: string;
  description: string;
  modalities: string[];
  seriesCount: number | null;
  instanceCount: number | null;
}

export interface StudyPage {
  studies: PacsStudy[];
  offset: number;
  limit: number;
  /** True when the server returned a full page: there may be more. */
  more: boolean;
}

export interface PacsSeries {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  modality: string;
  seriesNumber: number | null;
  description: string;
  instanceCount: number | null;
}

export interface InstanceFailure {
  sopInstanceUid: string;
  reason: string;
}

export interface RetrieveResult {
  /** The cached series opened in the library, exactly as a local folder would be. */
  opened: OpenResult;
  /** Instances fetched now, and those already in the cache from an earlier (maybe interrupted) retrieve. */
  fetched: number;
  cached: number;
  failed: InstanceFailure[];
}

export interface SentInstance {
  sopInstanceUid: string;
  ok: boolean;
  reason?: string;
}

export interface OutboxItem {
  id: string;
  connection: string;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  deidentified: boolean;
  attempts: number;
  lastError: string;
  queuedAt: string;
}

export interface SendResult {
  instances: SentInstance[];
  /** What is still waiting to be sent (this send's failures included). */
  outbox: OutboxItem[];
}

const name = v.string({ min: 1, max: 100, pattern: /^[\w .-]+$/ });
const url = v.string({ min: 1, max: 2048, pattern: /^https?:\/\/\S+$/ });
const uid = v.string({ min: 1, max: 64, pattern: /^[0-9.]+$/ });
const requestId = v.string({ min: 1, max: 64 });
const text = (max = 200) => v.optional(v.string({ max }));
const date = v.optional(v.string({ max: 8, pattern: /^(\d{8})?$/ }));

export const connectionSchema = v.object({
  name,
  baseUrl: url,
  qidoUrl: v.optional(url),
  wadoUrl: v.optional(url),
  stowUrl: v.optional(url),
  auth: v.literal('none', 'basic', 'bearer'),
  username: text(200),
  caFile: text(4096),
  timeoutMs: v.number({ min: 100, max: 600_000, integer: true }),
});

export const studyQuerySchema = v.object({
  patientName: text(),
  patientId: text(),
  dateFrom: date,
  dateTo: date,
  modality: v.optional(v.string({ max: 16, pattern: /^[A-Z]*$/ })),
  accession: text(),
  description: text(),
  offset: v.optional(v.number({ min: 0, max: 1_000_000, integer: true })),
  limit: v.optional(v.number({ min: 1, max: 1000, integer: true })),
  sortBy: v.optional(v.literal(...STUDY_SORT_KEYS)),
  descending: v.optional(v.boolean()),
});

export const pacsArgSchemas = {
  'pacs:connections': v.object({}),
  'pacs:save-connection': v.object({ connection: connectionSchema, secret: v.optional(v.string({ max: 10_000 })) }),
  'pacs:delete-connection': v.object({ name }),
  /** Tests these values, saved or not; without `secret`, the one stored under the connection's name. */
  'pacs:test': v.object({ connection: connectionSchema, secret: v.optional(v.string({ max: 10_000 })) }),
  'pacs:studies': v.object({ name, query: studyQuerySchema }),
  'pacs:series': v.object({ name, studyInstanceUid: uid }),
  'pacs:retrieve': v.object({ name, studyInstanceUid: uid, seriesInstanceUid: uid, requestId }),
  'pacs:cancel': v.object({ requestId }),
  'pacs:send': v.object({ name, seriesId: v.string({ min: 1, max: 64 }), deidentify: v.boolean() }),
  'pacs:outbox': v.object({}),
  'pacs:retry': v.object({}),
} satisfies Record<string, v.Schema<unknown>>;

export interface PacsResults {
  'pacs:connections': PacsConnectionView[];
  'pacs:save-connection': PacsConnectionView[];
  'pacs:delete-connection': PacsConnectionView[];
  'pacs:test': { message: string; ms: number };
  'pacs:studies': StudyPage;
  'pacs:series': PacsSeries[];
  /** Rejects with the 'cancelled' code when cancelled; what arrived stays in the cache. */
  'pacs:retrieve': RetrieveResult;
  'pacs:cancel': { cancelled: boolean };
  'pacs:send': SendResult;
  'pacs:outbox': OutboxItem[];
  'pacs:retry': SendResult;
}

export interface PacsProgress {
  requestId: string;
  /** Instances in the cache so far (fetched or already there), of `total`. */
  done: number;
  total: number;
  failed: number;
}

export interface PacsEvents {
  'pacs:progress': PacsProgress;
}

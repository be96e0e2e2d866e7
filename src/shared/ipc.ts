// The IPC contract: every channel the renderer may call, its argument schema and its
// result type, plus the events main pushes to the renderer. Main serves this table over
// Electron IPC and over a loopback HTTP server (for browser end-to-end tests); the
// renderer sees the same typed `NextmaskApi` either way.
import { type FineTuneEvents, type FineTuneResults, finetuneArgSchemas } from './finetune-types';
import { type MaskResults, maskArgSchemas } from './labelmap/channels';
import { type PacsEvents, type PacsResults, pacsArgSchemas } from './pacs-types';
import { type SegmentEvents, type SegmentResults, segmentArgSchemas } from './segment-types';
import * as v from './validate';
import type { FrameResult, OpenResult, TagRow, Thumbnail } from './viewer-types';

export interface AppInfo {
  name: string;
  version: string;
  /** 'electron' when served through the preload bridge, 'http' through the loopback server. */
  transport: 'electron' | 'http';
  platform: string;
  versions: { node: string; electron?: string; chrome?: string };
}

export interface EchoResult {
  message: string;
  receivedAt: string;
}

export const argSchemas = {
  'app:info': v.object({}),
  'app:echo': v.object({ message: v.string({ max: 10_000 }) }),
  'viewer:open': v.object({ paths: v.array(v.string({ min: 1, max: 4096 }), { max: 10_000 }) }),
  'viewer:choose': v.object({}),
  'viewer:frame': v.object({ seriesId: v.string({ max: 64 }), index: v.number({ min: 0, integer: true }) }),
  'viewer:tags': v.object({ seriesId: v.string({ max: 64 }), index: v.number({ min: 0, integer: true }) }),
  'viewer:thumbnail': v.object({ seriesId: v.string({ max: 64 }) }),
  ...maskArgSchemas,
  ...segmentArgSchemas,
  ...pacsArgSchemas,
  ...finetuneArgSchemas,
} satisfies Record<string, v.Schema<unknown>>;

export interface Results extends MaskResults, SegmentResults, PacsResults, FineTuneResults {
  'app:info': AppInfo;
  'app:echo': EchoResult;
  'viewer:open': OpenResult;
  /** Native file dialog (Electron only); null when the user cancels. */
  'viewer:choose': OpenResult | null;
  'viewer:frame': FrameResult;
  'viewer:tags': TagRow[];
  'viewer:thumbnail': Thumbnail;
}

/** Events pushed from main to the renderer (progress, streamed partial results). */
export interface Events extends SegmentEvents, PacsEvents, FineTuneEvents {
  'app:log': { level: 'info' | 'warn' | 'error'; message: string; at: string };
}

// A Record keyed by every event name, so adding an event without listing it fails to compile.
const eventNameSet: Record<keyof Events, true> = {
  'app:log': true,
  'segment:progress': true,
  'pacs:progress': true,
  'finetune:progress': true,
};
export const eventNames = Object.keys(eventNameSet) as (keyof Events)[];

export type Channel = keyof typeof argSchemas & keyof Results;
export type Args<C extends Channel> = v.Infer<(typeof argSchemas)[C]>;
export type EventName = keyof Events;

export const channels = Object.keys(argSchemas) as Channel[];

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(argSchemas, name);
}

export type IpcErrorCode = 'unknown-channel' | 'invalid-args' | 'failed' | 'cancelled' | 'unauthorized';

export interface IpcFailure {
  code: IpcErrorCode;
  message: string;
}

/** What every call returns on the wire: errors travel as data, not as transport exceptions. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: IpcFailure };

/** The error a caller sees when a call fails. */
export class IpcError extends Error {
  constructor(
    readonly code: IpcErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IpcError';
  }
}

export function unwrap<T>(envelope: Envelope<T>): T {
  if (envelope.ok) return envelope.value;
  throw new IpcError(envelope.error.code, envelope.error.message);
}

/**
 * What preload exposes as `window.nextmask`: calls return envelopes because errors thrown
 * across contextBridge lose their type. The renderer wraps it into a NextmaskApi.
 */
export interface NextmaskBridge {
  invoke(channel: Channel, args: unknown): Promise<Envelope<unknown>>;
  on(listener: (event: EventName, payload: unknown) => void): () => void;
  /** Absolute path of a dropped File; browsers do not expose paths. */
  pathForFile(file: File): string;
}

/** The API the renderer codes against, whatever the transport. */
export interface NextmaskApi {
  invoke<C extends Channel>(channel: C, args: Args<C>): Promise<Results[C]>;
  /** Subscribes to a main-process event; returns the unsubscribe function. */
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
  /** Absolute path of a dropped File (Electron only; browsers do not expose paths). */
  pathForFile?(file: File): string;
}

export const API_GLOBAL = 'nextmask';
/** HTTP transport: the per-run token travels in this header. */
export const TOKEN_HEADER = 'x-nextmask-token';
export const INVOKE_CHANNEL = 'nextmask:invoke';
export const EVENT_CHANNEL = 'nextmask:event';

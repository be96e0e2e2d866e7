// The annotation store: one SQLite database in the workspace folder. Every save is one
// transaction in WAL mode with synchronous=FULL, so a crash or power cut leaves the store as of
// the last completed save, never half of one.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { codingSchema, pointingSchema } from '../../shared/labelmap/channels';
import type { SegmentCoding } from '../../shared/labelmap/coding';
import { createMask, type Mask } from '../../shared/labelmap/mask';
import type { Rgb, Segment, SegmentInfo } from '../../shared/labelmap/segments';
import type { Schema } from '../../shared/validate';
import { UserFacingError } from '../errors';
import { readPrompt } from '../prompt/reading';
import { compressMask, decompressMask } from './mask-codec';
import { MIGRATIONS } from './schema';
import { lockWorkspace, type WorkspaceLock } from './workspace-lock';

export const DATABASE_FILE = 'nextmask.db';

/**
 * better-sqlite3's native module is built for Node's ABI (tests, CLI, `nextmask serve`).
 * Electron has its own ABI, so `npm start` puts an Electron build beside the app
 * (scripts/electron-sqlite.mjs → .cache/electron-native/) and Electron loads that one;
 * NEXTMASK_SQLITE_BINDING overrides both.
 */
export function sqliteBinding(): string | undefined {
  if (process.env.NEXTMASK_SQLITE_BINDING) return process.env.NEXTMASK_SQLITE_BINDING;
  if (!process.versions.electron) return undefined;
  // The bundle may sit at out/main/ or out/main/chunks/: look upwards for the repository's .cache.
  for (let dir = import.meta.dirname, up = 0; up < 5; dir = dirname(dir), up++) {
    const built = join(dir, '.cache', 'electron-native', 'better_sqlite3.node');
    if (existsSync(built)) return built;
  }
  return undefined;
}

export interface StudyRecord {
  /** SeriesInstanceUID for DICOM, the file path for a radiograph. */
  key: string;
  sourcePath: string;
  studyUid?: string;
  seriesUid?: string;
  modality?: string;
  description?: string;
  width: number;
  height: number;
  frameCount: number;
}

export interface StudySummary extends StudyRecord {
  segmentCount: number;
  savedAt: string | null;
  /** Bumped by every save of the study's segments; 0 before the first. */
  version: number;
}

/** A save based on an older version of the study than the stored one: someone else saved meanwhile. */
export class WorkspaceConflictError extends UserFacingError {
  constructor(
    readonly studyKey: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      `the segments of ${studyKey} were saved elsewhere (another window or NextMask instance) after they were opened here ` +
        `(version ${actual}, this one is based on ${expected}): nothing was overwritten; reopen the series to see those changes`,
    );
    this.name = 'WorkspaceConflictError';
  }
}

export interface EditRecord {
  segmentUid: string;
  action: string;
  frame?: number;
  at?: string;
}

export interface Proposal {
  segmentUid: string;
  prompt: string;
  algorithm: string;
  masks: Mask[];
}

/** One editing step: see Workspace.commitSegments. */
export interface SegmentCommit {
  /** Every segment id of the study, in list order. */
  order: readonly string[];
  /** Segments whose settings or masks changed, with the frames that changed (all for a new segment). */
  changed: readonly { info: SegmentInfo; frames: ReadonlyMap<number, Mask> }[];
  edits?: readonly EditRecord[];
  /** The study version this step builds on (see commitSegments). */
  baseVersion?: number;
}

/** A clinician-corrected AI mask and what the model proposed: one fine-tuning example. */
export interface Correction {
  studyKey: string;
  sourcePath: string;
  segmentUid: string;
  prompt: string;
  algorithm: string;
  proposal: Mask[];
  corrected: Mask[];
}

interface StudyRow {
  id: number;
  key: string;
  source_path: string;
  study_uid: string | null;
  series_uid: string | null;
  modality: string | null;
  description: string | null;
  width: number;
  height: number;
  frame_count: number;
  saved_at: string | null;
  version: number;
}

interface SegmentRow {
  id: number;
  uid: string;
  name: string;
  color: string;
  visible: number;
  locked: number;
  opacity: number;
  outline: number;
  source: 'manual' | 'ai';
  algorithm: string | null;
  prompt: string | null;
  coding: string | null;
  pointing: string | null;
}

/** A JSON column parsed by its schema; a value that no longer parses is dropped, not fatal. */
function storedJson<T>(text: string | null, schema: Schema<T>): T | null {
  if (!text) return null;
  try {
    return schema.parse(JSON.parse(text));
  } catch {
    return null;
  }
}

/**
 * A segment's coding: as stored, else (segments saved before codings were kept, or never coded) read
 * from an AI segment's prompt.
 */
function storedCoding(row: SegmentRow): SegmentCoding | null {
  if (row.coding) return storedJson(row.coding, codingSchema);
  return row.source === 'ai' && row.prompt ? readPrompt(row.prompt).coding : null;
}

function now(): string {
  return new Date().toISOString();
}

function toRecord(row: StudyRow): StudyRecord {
  const record: StudyRecord = {
    key: row.key,
    sourcePath: row.source_path,
    width: row.width,
    height: row.height,
    frameCount: row.frame_count,
  };
  if (row.study_uid) record.studyUid = row.study_uid;
  if (row.series_uid) record.seriesUid = row.series_uid;
  if (row.modality) record.modality = row.modality;
  if (row.description) record.description = row.description;
  return record;
}

export class Workspace {
  readonly db: Database.Database;
  // Taken before the first write (viewing needs no lock), released by close().
  private lock: WorkspaceLock | null = null;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
    const nativeBinding = sqliteBinding();
    this.db = new Database(join(dir, DATABASE_FILE), nativeBinding ? { nativeBinding } : {});
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = FULL');
      this.db.pragma('foreign_keys = ON');
      this.migrate();
    } catch (err) {
      // A damaged or foreign file: no open handle left behind.
      this.db.close();
      throw err;
    }
  }

  /** Throws WorkspaceLockedError when another process writes to this workspace. */
  private writable(): void {
    this.lock ??= lockWorkspace(this.dir);
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v] as string);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  close(): void {
    this.db.close();
    this.lock?.release();
    this.lock = null;
  }

  /** A random secret kept in this workspace, made on first use (e.g. the de-identification key). */
  secret(name: string): string {
    this.writable();
    this.db
      .prepare('INSERT OR IGNORE INTO settings (key, value) VALUES (?, ?)')
      .run(`secret:${name}`, randomBytes(32).toString('hex'));
    return (this.db.prepare('SELECT value FROM settings WHERE key = ?').get(`secret:${name}`) as { value: string })
      .value;
  }

  private studyRow(key: string): StudyRow {
    const row = this.db.prepare('SELECT * FROM studies WHERE key = ?').get(key) as StudyRow | undefined;
    if (!row) throw new Error(`no study ${key} in the workspace`);
    return row;
  }

  /** Registers an image or series (or updates its description); returns its record. */
  putStudy(study: StudyRecord): StudyRecord {
    this.writable();
    this.db
      .prepare(
        `INSERT INTO studies (key, source_path, study_uid, series_uid, modality, description, width, height, frame_count, created_at)
         VALUES (@key, @sourcePath, @studyUid, @seriesUid, @modality, @description, @width, @height, @frameCount, @at)
         ON CONFLICT (key) DO UPDATE SET source_path = excluded.source_path, description = excluded.description`,
      )
      .run({
        studyUid: null,
        seriesUid: null,
        modality: null,
        description: null,
        ...study,
        at: now(),
      });
    return this.getStudy(study.key);
  }

  getStudy(key: string): StudyRecord {
    return toRecord(this.studyRow(key));
  }

  listStudies(): StudySummary[] {
    const rows = this.db
      .prepare(
        `SELECT s.*, (SELECT COUNT(*) FROM segments g WHERE g.study_id = s.id) AS segment_count
         FROM studies s ORDER BY s.id`,
      )
      .all() as (StudyRow & { segment_count: number })[];
    return rows.map((r) => ({
      ...toRecord(r),
      segmentCount: r.segment_count,
      savedAt: r.saved_at,
      version: r.version,
    }));
  }

  /** Keeps the model's mask as proposed, so a later save can tell whether a clinician corrected it. */
  recordProposal(studyKey: string, proposal: Proposal): void {
    this.writable();
    const study = this.studyRow(studyKey);
    this.checkFrames(study, proposal.masks);
    this.db.transaction(() => {
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO prompts (study_id, segment_uid, text, algorithm, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(study.id, proposal.segmentUid, proposal.prompt, proposal.algorithm, now());
      const insert = this.db.prepare('INSERT INTO proposal_masks (prompt_id, frame, data) VALUES (?, ?, ?)');
      for (const [frame, m] of proposal.masks.entries()) insert.run(lastInsertRowid, frame, compressMask(m.data));
      // The answer's segment may already be committed (autosave runs beside this call).
      const segment = this.db
        .prepare('SELECT id FROM segments WHERE study_id = ? AND uid = ?')
        .get(study.id, proposal.segmentUid) as { id: number } | undefined;
      if (segment) this.markCorrection(study, segment.id, proposal.segmentUid);
    })();
  }

  private checkFrames(study: StudyRow, masks: readonly Mask[]): void {
    if (masks.length !== study.frame_count) {
      throw new Error(`study ${study.key} has ${study.frame_count} frames, got ${masks.length} masks`);
    }
    this.checkSize(study, masks);
  }

  private checkSize(study: StudyRow, masks: readonly Mask[]): void {
    for (const m of masks) {
      if (m.width !== study.width || m.height !== study.height || m.data.length !== m.width * m.height) {
        throw new Error(`mask is ${m.width}x${m.height}, study ${study.key} is ${study.width}x${study.height}`);
      }
    }
  }

  private proposalBlobs(studyId: number, segmentUid: string): Map<number, Buffer> | null {
    const prompt = this.db
      .prepare('SELECT id FROM prompts WHERE study_id = ? AND segment_uid = ? ORDER BY id DESC LIMIT 1')
      .get(studyId, segmentUid) as { id: number } | undefined;
    if (!prompt) return null;
    const rows = this.db.prepare('SELECT frame, data FROM proposal_masks WHERE prompt_id = ?').all(prompt.id) as {
      frame: number;
      data: Buffer;
    }[];
    return new Map(rows.map((r) => [r.frame, r.data]));
  }

  /** The study's save counter (see saveSegments). */
  studyVersion(studyKey: string): number {
    return this.studyRow(studyKey).version;
  }

  /**
   * Replaces the study's segments with these (a commit of every frame of every segment) and
   * returns the study's new version; `baseVersion` as in commitSegments. Bad input (wrong frame
   * count or size) throws before anything is written.
   */
  saveSegments(
    studyKey: string,
    segments: readonly Segment[],
    edits: readonly EditRecord[] = [],
    baseVersion?: number,
  ): number {
    const study = this.studyRow(studyKey);
    for (const s of segments) this.checkFrames(study, s.masks);
    return this.commitSegments(studyKey, {
      order: segments.map((s) => s.id),
      changed: segments.map(({ masks, ...info }) => ({ info, frames: new Map(masks.entries()) })),
      edits,
      ...(baseVersion === undefined ? {} : { baseVersion }),
    });
  }

  /**
   * One committed editing step (a stroke, an AI answer, a renamed or deleted segment) in one
   * transaction: segments missing from `order` are deleted, `changed` ones get their settings
   * and the given frames written, positions follow `order`; returns the study's new version.
   * With `baseVersion` (the version the caller loaded or last committed) a commit over someone
   * else's newer one throws WorkspaceConflictError and writes nothing. Bad input throws before
   * any write.
   */
  commitSegments(studyKey: string, commit: SegmentCommit): number {
    this.writable();
    const study = this.studyRow(studyKey);
    if (new Set(commit.order).size !== commit.order.length) throw new Error('segment ids must be unique');
    const stored = new Map(
      (
        this.db.prepare('SELECT id, uid FROM segments WHERE study_id = ?').all(study.id) as {
          id: number;
          uid: string;
        }[]
      ).map((r) => [r.uid, r.id]),
    );
    const changedUids = new Set<string>();
    for (const { info, frames } of commit.changed) {
      if (changedUids.has(info.id)) throw new Error(`segment ${info.id} changed twice in one commit`);
      changedUids.add(info.id);
      if (!commit.order.includes(info.id)) throw new Error(`changed segment ${info.id} is not in the order`);
      if (!stored.has(info.id) && frames.size !== study.frame_count)
        throw new Error(`new segment ${info.id} needs all ${study.frame_count} frames`);
      for (const frame of frames.keys())
        if (!Number.isInteger(frame) || frame < 0 || frame >= study.frame_count)
          throw new Error(`frame ${frame} out of range for study ${study.key}`);
      this.checkSize(study, [...frames.values()]);
    }
    for (const uid of commit.order)
      if (!stored.has(uid) && !changedUids.has(uid)) throw new Error(`segment ${uid} is neither stored nor given`);
    const at = now();
    // IMMEDIATE: the version is read and bumped under the write lock, so two writers cannot both pass.
    return this.db
      .transaction(() => {
        const { version } = this.db.prepare('SELECT version FROM studies WHERE id = ?').get(study.id) as {
          version: number;
        };
        if (commit.baseVersion !== undefined && commit.baseVersion !== version)
          throw new WorkspaceConflictError(studyKey, commit.baseVersion, version);
        const keep = new Set(commit.order);
        const remove = this.db.prepare('DELETE FROM segments WHERE id = ?');
        for (const [uid, id] of stored) if (!keep.has(uid)) remove.run(id);
        const insertSegment = this.db.prepare(
          `INSERT INTO segments (study_id, uid, position, name, color, visible, locked, opacity, outline, source, algorithm, prompt, coding, pointing)
         VALUES (@study, @uid, 0, @name, @color, @visible, @locked, @opacity, @outline, @source, @algorithm, @prompt, @coding, @pointing)
         ON CONFLICT (study_id, uid) DO UPDATE SET name = excluded.name, color = excluded.color,
           visible = excluded.visible, locked = excluded.locked, opacity = excluded.opacity,
           outline = excluded.outline, source = excluded.source, algorithm = excluded.algorithm,
           prompt = excluded.prompt, coding = excluded.coding, pointing = excluded.pointing`,
        );
        const segmentId = this.db.prepare('SELECT id FROM segments WHERE study_id = ? AND uid = ?');
        const deleteMask = this.db.prepare('DELETE FROM masks WHERE segment_id = ? AND frame = ?');
        const insertMask = this.db.prepare('INSERT INTO masks (segment_id, frame, data) VALUES (?, ?, ?)');
        for (const { info, frames } of commit.changed) {
          insertSegment.run({
            study: study.id,
            uid: info.id,
            name: info.name,
            color: info.color.join(','),
            visible: info.visible ? 1 : 0,
            locked: info.locked ? 1 : 0,
            opacity: info.opacity,
            outline: info.outline ? 1 : 0,
            source: info.source,
            algorithm: info.algorithm ?? null,
            prompt: info.prompt ?? null,
            coding: info.coding ? JSON.stringify(info.coding) : null,
            pointing: info.pointing ? JSON.stringify(info.pointing) : null,
          });
          const { id } = segmentId.get(study.id, info.id) as { id: number };
          for (const [frame, mask] of frames) {
            deleteMask.run(id, frame);
            if (mask.data.includes(1)) insertMask.run(id, frame, compressMask(mask.data));
          }
          this.markCorrection(study, id, info.id);
        }
        const position = this.db.prepare('UPDATE segments SET position = ? WHERE study_id = ? AND uid = ?');
        commit.order.forEach((uid, i) => {
          position.run(i, study.id, uid);
        });
        const insertEdit = this.db.prepare(
          'INSERT INTO edits (study_id, segment_uid, action, frame, at) VALUES (?, ?, ?, ?, ?)',
        );
        for (const e of commit.edits ?? [])
          insertEdit.run(study.id, e.segmentUid, e.action, e.frame ?? null, e.at ?? at);
        this.db.prepare('UPDATE studies SET saved_at = ?, version = ? WHERE id = ?').run(at, version + 1, study.id);
        return version + 1;
      })
      .immediate();
  }

  /** Sets is_correction: 1 when an AI segment's stored masks differ from its latest proposal. */
  private markCorrection(study: StudyRow, segmentId: number, uid: string): void {
    const row = this.db.prepare('SELECT source FROM segments WHERE id = ?').get(segmentId) as { source: string };
    const proposal = row.source === 'ai' ? this.proposalBlobs(study.id, uid) : null;
    let corrected = false;
    if (proposal) {
      const stored = new Map(
        (
          this.db.prepare('SELECT frame, data FROM masks WHERE segment_id = ?').all(segmentId) as {
            frame: number;
            data: Buffer;
          }[]
        ).map((r) => [r.frame, r.data]),
      );
      const empty = (b: Buffer | undefined) => !b || !decompressMask(b, study.width * study.height).includes(1);
      // Equal masks compress to equal bytes (same packing, same deflate settings).
      for (let frame = 0; frame < study.frame_count && !corrected; frame++) {
        const p = proposal.get(frame);
        const s = stored.get(frame);
        corrected = s === undefined ? !empty(p) : !p || !s.equals(p);
      }
    }
    this.db.prepare('UPDATE segments SET is_correction = ? WHERE id = ?').run(corrected ? 1 : 0, segmentId);
  }

  private readMasks(study: StudyRow, rows: { frame: number; data: Buffer }[]): Mask[] {
    const masks = Array.from({ length: study.frame_count }, () => createMask(study.width, study.height));
    for (const r of rows) (masks[r.frame] as Mask).data.set(decompressMask(r.data, study.width * study.height));
    return masks;
  }

  loadSegments(studyKey: string): Segment[] {
    const study = this.studyRow(studyKey);
    const rows = this.db
      .prepare('SELECT * FROM segments WHERE study_id = ? ORDER BY position')
      .all(study.id) as SegmentRow[];
    const maskRows = this.db.prepare('SELECT frame, data FROM masks WHERE segment_id = ?');
    return rows.map((r) => {
      const segment: Segment = {
        id: r.uid,
        name: r.name,
        color: r.color.split(',').map(Number) as Rgb,
        visible: r.visible === 1,
        locked: r.locked === 1,
        opacity: r.opacity,
        outline: r.outline === 1,
        source: r.source,
        masks: this.readMasks(study, maskRows.all(r.id) as { frame: number; data: Buffer }[]),
      };
      if (r.algorithm) segment.algorithm = r.algorithm;
      if (r.prompt) segment.prompt = r.prompt;
      const coding = storedCoding(r);
      if (coding) segment.coding = coding;
      const pointing = storedJson(r.pointing, pointingSchema);
      if (pointing) segment.pointing = pointing;
      return segment;
    });
  }

  listEdits(studyKey: string): Required<EditRecord>[] {
    const study = this.studyRow(studyKey);
    const rows = this.db
      .prepare('SELECT segment_uid, action, frame, at FROM edits WHERE study_id = ? ORDER BY id')
      .all(study.id) as { segment_uid: string; action: string; frame: number | null; at: string }[];
    return rows.map((r) => ({ segmentUid: r.segment_uid, action: r.action, frame: r.frame ?? -1, at: r.at }));
  }

  /** Saved AI segments of a study whose masks a clinician changed. */
  correctedSegmentUids(studyKey: string): Set<string> {
    const study = this.studyRow(studyKey);
    const rows = this.db.prepare('SELECT uid FROM segments WHERE study_id = ? AND is_correction = 1').all(study.id) as {
      uid: string;
    }[];
    return new Set(rows.map((r) => r.uid));
  }

  /** The fine-tuning set: every saved AI segment a clinician changed, with the model's original. */
  listCorrections(): Correction[] {
    const rows = this.db
      .prepare(
        `SELECT g.id, g.uid, g.prompt, g.algorithm, s.key FROM segments g JOIN studies s ON s.id = g.study_id
         WHERE g.is_correction = 1 ORDER BY g.id`,
      )
      .all() as { id: number; uid: string; prompt: string | null; algorithm: string | null; key: string }[];
    return rows.map((r) => {
      const study = this.studyRow(r.key);
      const proposal = this.proposalBlobs(study.id, r.uid) ?? new Map<number, Buffer>();
      const corrected = this.db.prepare('SELECT frame, data FROM masks WHERE segment_id = ?').all(r.id) as {
        frame: number;
        data: Buffer;
      }[];
      return {
        studyKey: r.key,
        sourcePath: study.source_path,
        segmentUid: r.uid,
        prompt: r.prompt ?? '',
        algorithm: r.algorithm ?? '',
        proposal: this.readMasks(
          study,
          [...proposal].map(([frame, data]) => ({ frame, data })),
        ),
        corrected: this.readMasks(study, corrected),
      };
    });
  }
}

// The annotation store: one SQLite database in the workspace folder. Every save is one
// transaction in WAL mode with synchronous=FULL, so a crash or power cut leaves the store as of
// the last completed save, never half of one.
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { EditRecord } from '../../shared/labelmap/channels';
import type { Segment } from '../../shared/labelmap/segments';
import { Corrections } from './corrections';
import { compressMask } from './mask-codec';
import type { Correction, Proposal, SegmentCommit, StoredEdit, StudyRecord, StudySummary } from './records';
import { type MaskRow, readMasks, type SegmentRow, type StudyRow, toRecord, toSegment } from './rows';
import { MIGRATIONS } from './schema';
import { checkFrames, writeCommit } from './segment-commit';
import { sqliteBinding } from './sqlite-binding';
import { lockWorkspace, type WorkspaceLock } from './workspace-lock';

export type { StudyRecord } from './records';
export { WorkspaceConflictError } from './records';
export { sqliteBinding } from './sqlite-binding';

export const DATABASE_FILE = 'nextmask.db';

export class Workspace {
  readonly db: Database.Database;
  private readonly corrections: Corrections;
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
      this.corrections = new Corrections(this.db);
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
        at: new Date().toISOString(),
      });
    return this.getStudy(study.key);
  }

  getStudy(key: string): StudyRecord {
    return toRecord(this.studyRow(key));
  }

  /** Every study, in the order they were first stored; `recent` first the last saved (else last stored). */
  listStudies(order: 'stored' | 'recent' = 'stored'): StudySummary[] {
    const by = order === 'recent' ? 'COALESCE(s.saved_at, s.created_at) DESC, s.id DESC' : 's.id';
    const rows = this.db
      .prepare(
        `SELECT s.*, (SELECT COUNT(*) FROM segments g WHERE g.study_id = s.id) AS segment_count
         FROM studies s ORDER BY ${by}`,
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
    checkFrames(study, proposal.masks);
    this.db.transaction(() => {
      const { lastInsertRowid } = this.db
        .prepare('INSERT INTO prompts (study_id, segment_uid, text, algorithm, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(study.id, proposal.segmentUid, proposal.prompt, proposal.algorithm, new Date().toISOString());
      const insert = this.db.prepare('INSERT INTO proposal_masks (prompt_id, frame, data) VALUES (?, ?, ?)');
      for (const [frame, m] of proposal.masks.entries()) insert.run(lastInsertRowid, frame, compressMask(m.data));
      // The answer's segment may already be committed (autosave runs beside this call).
      const segment = this.db
        .prepare('SELECT id FROM segments WHERE study_id = ? AND uid = ?')
        .get(study.id, proposal.segmentUid) as { id: number } | undefined;
      if (segment) this.corrections.mark(study, segment.id, proposal.segmentUid);
    })();
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
    for (const s of segments) checkFrames(study, s.masks);
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
    return writeCommit(this.db, this.corrections, this.studyRow(studyKey), commit);
  }

  loadSegments(studyKey: string): Segment[] {
    const study = this.studyRow(studyKey);
    const rows = this.db
      .prepare('SELECT * FROM segments WHERE study_id = ? ORDER BY position')
      .all(study.id) as SegmentRow[];
    const maskRows = this.db.prepare('SELECT frame, data FROM masks WHERE segment_id = ?');
    return rows.map((r) => toSegment(r, readMasks(study, maskRows.all(r.id) as MaskRow[])));
  }

  listEdits(studyKey: string): StoredEdit[] {
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
    return this.corrections.list();
  }
}

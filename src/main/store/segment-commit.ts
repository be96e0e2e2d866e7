// One editing step written to the store: checked whole before any write, then applied in one
// transaction (see Workspace.commitSegments).
import type Database from 'better-sqlite3';
import type { Mask } from '../../shared/labelmap/mask';
import type { Corrections } from './corrections';
import { compressMask } from './mask-codec';
import { type SegmentCommit, WorkspaceConflictError } from './records';
import type { StudyRow } from './rows';

/** Every mask the study's size, one byte per pixel. */
export function checkSize(study: StudyRow, masks: readonly Mask[]): void {
  for (const m of masks) {
    if (m.width !== study.width || m.height !== study.height || m.data.length !== m.width * m.height) {
      throw new Error(`mask is ${m.width}x${m.height}, study ${study.key} is ${study.width}x${study.height}`);
    }
  }
}

/** One mask per frame of the study, each the study's size. */
export function checkFrames(study: StudyRow, masks: readonly Mask[]): void {
  if (masks.length !== study.frame_count) {
    throw new Error(`study ${study.key} has ${study.frame_count} frames, got ${masks.length} masks`);
  }
  checkSize(study, masks);
}

/** Throws on a commit that cannot be applied whole; `stored` maps the study's segment uids to row ids. */
function checkCommit(study: StudyRow, stored: ReadonlyMap<string, number>, commit: SegmentCommit): void {
  if (new Set(commit.order).size !== commit.order.length) throw new Error('segment ids must be unique');
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
    checkSize(study, [...frames.values()]);
  }
  for (const uid of commit.order)
    if (!stored.has(uid) && !changedUids.has(uid)) throw new Error(`segment ${uid} is neither stored nor given`);
}

/** Checks, then applies the commit in one IMMEDIATE transaction; returns the study's new version. */
export function writeCommit(
  db: Database.Database,
  corrections: Corrections,
  study: StudyRow,
  commit: SegmentCommit,
): number {
  const stored = new Map(
    (db.prepare('SELECT id, uid FROM segments WHERE study_id = ?').all(study.id) as { id: number; uid: string }[]).map(
      (r) => [r.uid, r.id],
    ),
  );
  checkCommit(study, stored, commit);
  const at = new Date().toISOString();
  // IMMEDIATE: the version is read and bumped under the write lock, so two writers cannot both pass.
  return db
    .transaction(() => {
      const { version } = db.prepare('SELECT version FROM studies WHERE id = ?').get(study.id) as { version: number };
      if (commit.baseVersion !== undefined && commit.baseVersion !== version)
        throw new WorkspaceConflictError(study.key, commit.baseVersion, version);
      const keep = new Set(commit.order);
      const remove = db.prepare('DELETE FROM segments WHERE id = ?');
      for (const [uid, id] of stored) if (!keep.has(uid)) remove.run(id);
      const insertSegment = db.prepare(
        `INSERT INTO segments (study_id, uid, position, name, color, visible, locked, opacity, outline, source, algorithm, prompt, coding, pointing, confidence, low_confidence)
         VALUES (@study, @uid, 0, @name, @color, @visible, @locked, @opacity, @outline, @source, @algorithm, @prompt, @coding, @pointing, @confidence, @lowConfidence)
         ON CONFLICT (study_id, uid) DO UPDATE SET name = excluded.name, color = excluded.color,
           visible = excluded.visible, locked = excluded.locked, opacity = excluded.opacity,
           outline = excluded.outline, source = excluded.source, algorithm = excluded.algorithm,
           prompt = excluded.prompt, coding = excluded.coding, pointing = excluded.pointing,
           confidence = excluded.confidence, low_confidence = excluded.low_confidence`,
      );
      const segmentId = db.prepare('SELECT id FROM segments WHERE study_id = ? AND uid = ?');
      const deleteMask = db.prepare('DELETE FROM masks WHERE segment_id = ? AND frame = ?');
      const insertMask = db.prepare('INSERT INTO masks (segment_id, frame, data) VALUES (?, ?, ?)');
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
          confidence: info.confidence ?? null,
          lowConfidence: info.lowConfidence ? 1 : 0,
        });
        const { id } = segmentId.get(study.id, info.id) as { id: number };
        for (const [frame, mask] of frames) {
          deleteMask.run(id, frame);
          if (mask.data.includes(1)) insertMask.run(id, frame, compressMask(mask.data));
        }
        corrections.mark(study, id, info.id);
      }
      const position = db.prepare('UPDATE segments SET position = ? WHERE study_id = ? AND uid = ?');
      commit.order.forEach((uid, i) => {
        position.run(i, study.id, uid);
      });
      const insertEdit = db.prepare(
        'INSERT INTO edits (study_id, segment_uid, action, frame, at) VALUES (?, ?, ?, ?, ?)',
      );
      for (const e of commit.edits ?? []) insertEdit.run(study.id, e.segmentUid, e.action, e.frame ?? null, at);
      db.prepare('UPDATE studies SET saved_at = ?, version = ? WHERE id = ?').run(at, version + 1, study.id);
      return version + 1;
    })
    .immediate();
}

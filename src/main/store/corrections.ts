// Clinician corrections of AI masks: a segment is one when its stored masks differ from the model's
// latest proposal for it (is_correction), and the fine-tuning set lists them with that proposal.
import type Database from 'better-sqlite3';
import { pointingSchema } from '../../shared/labelmap/channels';
import { decompressMask } from './mask-codec';
import type { Correction } from './records';
import { type MaskRow, readMasks, type StudyShape } from './rows';
import { storedJson } from './stored-json';

type Statement = Database.Statement<unknown[], unknown>;

export class Corrections {
  private readonly latestPrompt: Statement;
  private readonly proposalMasks: Statement;
  private readonly segmentMasks: Statement;
  private readonly segmentSource: Statement;
  private readonly setCorrection: Statement;
  private readonly corrected: Statement;

  // Prepared once, after the schema is migrated: the commit and the listing reuse them for every row.
  constructor(db: Database.Database) {
    this.latestPrompt = db.prepare(
      'SELECT id FROM prompts WHERE study_id = ? AND segment_uid = ? ORDER BY id DESC LIMIT 1',
    );
    this.proposalMasks = db.prepare('SELECT frame, data FROM proposal_masks WHERE prompt_id = ?');
    this.segmentMasks = db.prepare('SELECT frame, data FROM masks WHERE segment_id = ?');
    this.segmentSource = db.prepare('SELECT source FROM segments WHERE id = ?');
    this.setCorrection = db.prepare('UPDATE segments SET is_correction = ? WHERE id = ?');
    // Each corrected segment with its study and its latest prompt, in one query.
    this.corrected = db.prepare(
      `SELECT g.id, g.uid, g.prompt, g.algorithm, g.pointing, s.key, s.source_path, s.width, s.height, s.frame_count,
         (SELECT p.id FROM prompts p WHERE p.study_id = s.id AND p.segment_uid = g.uid ORDER BY p.id DESC LIMIT 1) AS prompt_id
       FROM segments g JOIN studies s ON s.id = g.study_id
       WHERE g.is_correction = 1 ORDER BY g.id`,
    );
  }

  private proposal(promptId: number): Map<number, Buffer> {
    return new Map((this.proposalMasks.all(promptId) as MaskRow[]).map((r) => [r.frame, r.data]));
  }

  /** Sets is_correction: 1 when an AI segment's stored masks differ from its latest proposal. */
  mark(study: StudyShape & { id: number }, segmentId: number, uid: string): void {
    const { source } = this.segmentSource.get(segmentId) as { source: string };
    const prompt = source === 'ai' ? (this.latestPrompt.get(study.id, uid) as { id: number } | undefined) : undefined;
    let corrected = false;
    if (prompt) {
      const proposal = this.proposal(prompt.id);
      const stored = new Map((this.segmentMasks.all(segmentId) as MaskRow[]).map((r) => [r.frame, r.data]));
      const empty = (b: Buffer | undefined) => !b || !decompressMask(b, study.width * study.height).includes(1);
      // Equal masks compress to equal bytes (same packing, same deflate settings).
      for (let frame = 0; frame < study.frame_count && !corrected; frame++) {
        const p = proposal.get(frame);
        const s = stored.get(frame);
        corrected = s === undefined ? !empty(p) : !p || !s.equals(p);
      }
    }
    this.setCorrection.run(corrected ? 1 : 0, segmentId);
  }

  /** The fine-tuning set: every saved AI segment a clinician changed, with the model's original. */
  list(): Correction[] {
    const rows = this.corrected.all() as (StudyShape & {
      id: number;
      uid: string;
      prompt: string | null;
      algorithm: string | null;
      pointing: string | null;
      key: string;
      source_path: string;
      prompt_id: number | null;
    })[];
    return rows.map((r) => {
      const pointing = storedJson(r.pointing, pointingSchema);
      return {
        studyKey: r.key,
        sourcePath: r.source_path,
        segmentUid: r.uid,
        prompt: r.prompt ?? '',
        algorithm: r.algorithm ?? '',
        proposal: readMasks(r, r.prompt_id === null ? [] : (this.proposalMasks.all(r.prompt_id) as MaskRow[])),
        corrected: readMasks(r, this.segmentMasks.all(r.id) as MaskRow[]),
        ...(pointing ? { pointing } : {}),
      };
    });
  }
}

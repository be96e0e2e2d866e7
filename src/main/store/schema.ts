// The workspace database schema, applied in order by user_version so old workspaces upgrade
// in place. Append migrations; never edit one that has shipped.
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE studies (
    id INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,          -- SeriesInstanceUID, or the file path of a radiograph
    study_uid TEXT,
    series_uid TEXT,
    source_path TEXT NOT NULL,
    modality TEXT,
    description TEXT,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    frame_count INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    saved_at TEXT
  );
  CREATE TABLE prompts (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    segment_uid TEXT NOT NULL,         -- the segment the model's answer went into
    text TEXT NOT NULL,
    algorithm TEXT NOT NULL,
    created_at TEXT NOT NULL
  );
  -- The model's mask exactly as proposed, kept when the clinician edits it.
  CREATE TABLE proposal_masks (
    prompt_id INTEGER NOT NULL REFERENCES prompts(id) ON DELETE CASCADE,
    frame INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (prompt_id, frame)
  );
  CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    uid TEXT NOT NULL,
    position INTEGER NOT NULL,
    name TEXT NOT NULL,
    color TEXT NOT NULL,               -- "r,g,b"
    visible INTEGER NOT NULL,
    locked INTEGER NOT NULL,
    opacity REAL NOT NULL,
    outline INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('manual', 'ai')),
    algorithm TEXT,
    prompt TEXT,
    -- 1 when an AI segment's masks differ from its proposal: a clinician correction.
    is_correction INTEGER NOT NULL DEFAULT 0,
    UNIQUE (study_id, uid)
  );
  -- Only non-empty frames are stored.
  CREATE TABLE masks (
    segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    frame INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (segment_id, frame)
  );
  CREATE TABLE edits (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    segment_uid TEXT NOT NULL,
    action TEXT NOT NULL,
    frame INTEGER,
    at TEXT NOT NULL
  );
  CREATE INDEX prompts_by_segment ON prompts(study_id, segment_uid, id);
  CREATE INDEX edits_by_study ON edits(study_id, id);
  `,
  `
  -- Per-workspace values, e.g. the secret that keys de-identification pseudonyms.
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  `,
  `
  -- Bumped by every save of a study's segments: a writer holding an older version is refused.
  ALTER TABLE studies ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
  `,
  `
  -- What the segment shows as DICOM SEG codes (JSON of SegmentCoding); NULL: not chosen yet.
  ALTER TABLE segments ADD COLUMN coding TEXT;
  `,
  `
  -- Where the clinician pointed for an AI answer (JSON of Pointing: frame, box, clicks); NULL: not pointed.
  ALTER TABLE segments ADD COLUMN pointing TEXT;
  `,
  `
  -- How sure the model was of an AI segment's answer (0..1; NULL: not said), and whether the answer was
  -- labelled low confidence (a low value, or a prompt or image outside what the model covers).
  ALTER TABLE segments ADD COLUMN confidence REAL;
  ALTER TABLE segments ADD COLUMN low_confidence INTEGER NOT NULL DEFAULT 0;
  `,
];

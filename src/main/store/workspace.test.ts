import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { packBits, unpackBits } from '../../shared/labelmap/bits';
import { codingOf } from '../../shared/labelmap/coding';
import { createMask, type Mask, masksEqual } from '../../shared/labelmap/mask';
import type { Segment } from '../../shared/labelmap/segments';
import { deflateBomb } from '../testing/bombs';
import { REPO_ROOT } from '../testing/shared-data';
import { CRASH_STUDY, savedSegments } from './crash-writer.fixture';
import { compressMask, decompressMask } from './mask-codec';
import { MIGRATIONS } from './schema';
import { DATABASE_FILE, sqliteBinding, Workspace, WorkspaceConflictError } from './workspace';
import { LOCK_FILE, WorkspaceLockedError } from './workspace-lock';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nextmask-store-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const STUDY = {
  key: '1.2.3.series',
  sourcePath: '/data/ct',
  studyUid: '1.2.3',
  modality: 'CT',
  width: 16,
  height: 8,
  frameCount: 3,
};

function segment(id: string, paint: (masks: Mask[]) => void, extra: Partial<Segment> = {}): Segment {
  const masks = Array.from({ length: 3 }, () => createMask(16, 8));
  paint(masks);
  return {
    id,
    name: id,
    color: [1, 2, 3],
    visible: true,
    locked: false,
    opacity: 0.4,
    outline: false,
    source: 'manual',
    masks,
    ...extra,
  };
}

describe('mask codec', () => {
  it('packs bits least significant first and round-trips odd lengths', () => {
    expect([...packBits(Uint8Array.from([1, 0, 0, 0, 0, 0, 0, 1, 1]))]).toEqual([0x81, 0x01]);
    const data = Uint8Array.from({ length: 77 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    expect(unpackBits(packBits(data), 77)).toEqual(data);
    expect(decompressMask(compressMask(data), 77)).toEqual(data);
  });

  it('never inflates a stored frame past its own bits, and says a damaged one in words', () => {
    const damaged = /^a mask stored in the workspace is damaged \((.+)\); the workspace file may be corrupt$/;
    expect(() => decompressMask(deflateBomb(16 * 2 ** 20), 512 * 512)).toThrow(damaged);
    expect(() => decompressMask(deflateBomb(16 * 2 ** 20), 512 * 512)).toThrow(/it holds more than one frame/);
    expect(() => decompressMask(Uint8Array.from([0xff, 0xff, 0xff]), 64)).toThrow(damaged);
  });

  it('compresses a typical mask far below its raw size', () => {
    const m = createMask(512, 512);
    for (let y = 100; y < 300; y++) m.data.fill(1, y * 512 + 150, y * 512 + 350);
    expect(compressMask(m.data).length).toBeLessThan(2000);
  });
});

describe('Workspace', () => {
  it('saves and reloads segments with their settings and masks', () => {
    const dir = tempDir();
    const ws = new Workspace(dir);
    ws.putStudy(STUDY);
    const a = segment('a', (m) => m[1]!.data.fill(1, 5, 40), {
      name: 'Liver',
      color: [200, 10, 10],
      locked: true,
      outline: true,
    });
    const b = segment('b', (m) => (m[2]!.data[127] = 1), {
      source: 'ai',
      prompt: 'tumour',
      algorithm: 'NTP 0.1',
      visible: false,
    });
    ws.saveSegments(STUDY.key, [a, b], [{ segmentUid: 'a', action: 'brush', frame: 1 }]);
    ws.close();

    const again = new Workspace(dir);
    const loaded = again.loadSegments(STUDY.key);
    expect(loaded.map((s) => s.id)).toEqual(['a', 'b']);
    expect(loaded[0]).toMatchObject({
      name: 'Liver',
      color: [200, 10, 10],
      locked: true,
      outline: true,
      source: 'manual',
    });
    expect(loaded[1]).toMatchObject({ source: 'ai', prompt: 'tumour', algorithm: 'NTP 0.1', visible: false });
    for (const [i, s] of [a, b].entries()) {
      for (const [f, m] of s.masks.entries()) {
        expect(masksEqual(loaded[i]!.masks[f]!, m), `segment ${s.id} frame ${f}`).toBe(true);
      }
    }
    expect(again.listEdits(STUDY.key)).toMatchObject([{ segmentUid: 'a', action: 'brush', frame: 1 }]);
    expect(again.listStudies()).toMatchObject([{ key: STUDY.key, modality: 'CT', segmentCount: 2 }]);
    again.close();
  });

  it('keeps segment codings, and opens a workspace from before codings with codes read from the prompts', () => {
    const dir = tempDir();
    // A workspace as the previous schema left it: no coding column.
    const old = new Database(join(dir, DATABASE_FILE));
    for (const m of MIGRATIONS.slice(0, 3)) old.exec(m);
    old.pragma('user_version = 3');
    old
      .prepare(
        `INSERT INTO studies (key, source_path, width, height, frame_count, created_at) VALUES (?, '/data/ct', 16, 8, 3, 'then')`,
      )
      .run(STUDY.key);
    const insert = old.prepare(
      `INSERT INTO segments (study_id, uid, position, name, color, visible, locked, opacity, outline, source, prompt)
       VALUES (1, ?, ?, ?, '1,2,3', 1, 0, 0.5, 0, ?, ?)`,
    );
    insert.run('ai', 0, 'left lung', 'ai', 'left lung');
    insert.run('hand', 1, 'Liver', 'manual', null);
    old.close();

    const ws = new Workspace(dir);
    const loaded = ws.loadSegments(STUDY.key);
    expect(loaded.map((s) => s.coding)).toEqual([codingOf('lung', 'left'), undefined]);
    const chosen = codingOf('consolidation', 'right');
    ws.saveSegments(STUDY.key, [{ ...loaded[0]!, coding: chosen }, loaded[1]!]);
    ws.close();
    const again = new Workspace(dir);
    expect(again.loadSegments(STUDY.key).map((s) => s.coding)).toEqual([chosen, undefined]);
    again.close();
  });

  it('keeps where an AI segment was pointed at (box, clicks, frame) and clears it when an answer has none', () => {
    const dir = tempDir();
    const ws = new Workspace(dir);
    ws.putStudy(STUDY);
    const pointing = {
      frame: 1,
      box: { x0: 2, y0: 1, x1: 9, y1: 7 },
      clicks: [
        { x: 4.5, y: 3.5, positive: true },
        { x: 8.5, y: 6.5, positive: false },
      ],
    };
    const ai = segment('ai', (m) => m[1]!.data.fill(1, 20, 40), { source: 'ai', prompt: 'lesion', pointing });
    ws.saveSegments(STUDY.key, [ai, segment('hand', () => {})]);
    ws.close();
    const again = new Workspace(dir);
    expect(again.loadSegments(STUDY.key).map((s) => s.pointing)).toEqual([pointing, undefined]);
    const { pointing: _, ...plain } = ai;
    again.saveSegments(STUDY.key, [plain]);
    expect(again.loadSegments(STUDY.key)[0]!.pointing).toBeUndefined();
    again.close();
  });

  it("keeps an AI answer's confidence and its low-confidence label across a reload, and clears them with a new answer", () => {
    const dir = tempDir();
    const ws = new Workspace(dir);
    ws.putStudy(STUDY);
    const paint = (m: Mask[]) => m[0]!.data.fill(1, 0, 10);
    const doubtful = segment('ai', paint, {
      source: 'ai',
      prompt: 'right pneumothorax',
      confidence: 0.91,
      lowConfidence: true,
    });
    const sure = segment('ai2', paint, { source: 'ai', prompt: 'left lung', confidence: 0.62 });
    ws.saveSegments(STUDY.key, [doubtful, sure, segment('hand', () => {})]);
    ws.close();
    const again = new Workspace(dir);
    const loaded = again.loadSegments(STUDY.key);
    expect(loaded.map((s) => [s.confidence, s.lowConfidence])).toEqual([
      [0.91, true],
      [0.62, undefined],
      [undefined, undefined],
    ]);
    const { confidence: _, lowConfidence: __, ...answered } = doubtful;
    again.saveSegments(STUDY.key, [answered]);
    expect(again.loadSegments(STUDY.key).map((s) => [s.confidence, s.lowConfidence])).toEqual([[undefined, undefined]]);
    again.close();
  });

  it('loads the native module named by NEXTMASK_SQLITE_BINDING (how Electron gets its own build)', () => {
    expect(sqliteBinding()).toBeUndefined(); // plain Node: the default build
    const before = process.env.NEXTMASK_SQLITE_BINDING;
    try {
      process.env.NEXTMASK_SQLITE_BINDING = join(
        REPO_ROOT,
        'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      );
      new Workspace(tempDir()).close();
      process.env.NEXTMASK_SQLITE_BINDING = join(tempDir(), 'missing.node');
      expect(() => new Workspace(tempDir())).toThrow();
    } finally {
      if (before === undefined) delete process.env.NEXTMASK_SQLITE_BINDING;
      else process.env.NEXTMASK_SQLITE_BINDING = before;
    }
  });

  it('keeps a random secret per workspace across reopening', () => {
    const dir = tempDir();
    const ws = new Workspace(dir);
    const secret = ws.secret('deidentify');
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    ws.close();
    const again = new Workspace(dir);
    expect(again.secret('deidentify')).toBe(secret);
    expect(new Workspace(tempDir()).secret('deidentify')).not.toBe(secret);
    again.close();
  });

  it('a later save replaces the earlier one', () => {
    const ws = new Workspace(tempDir());
    ws.putStudy(STUDY);
    ws.saveSegments(STUDY.key, [segment('a', () => {}), segment('b', () => {})]);
    ws.saveSegments(STUDY.key, [segment('b', (m) => m[0]!.data.fill(1))]);
    const loaded = ws.loadSegments(STUDY.key);
    expect(loaded.map((s) => s.id)).toEqual(['b']);
    expect(loaded[0]!.masks[0]!.data.every((v) => v === 1)).toBe(true);
    ws.close();
  });

  it('rejects masks of the wrong shape and keeps what was saved before', () => {
    const ws = new Workspace(tempDir());
    ws.putStudy(STUDY);
    ws.saveSegments(STUDY.key, [segment('a', (m) => m[0]!.data.fill(1, 0, 3))]);
    const wrong = { ...segment('x', () => {}), masks: [createMask(16, 8)] };
    expect(() => ws.saveSegments(STUDY.key, [wrong])).toThrow('has 3 frames, got 1 masks');
    expect(() => ws.saveSegments('nope', [])).toThrow('no study nope');
    expect(ws.loadSegments(STUDY.key).map((s) => s.id)).toEqual(['a']);
    ws.close();
  });

  it('marks an edited AI proposal as a correction and keeps the original for fine-tuning', () => {
    const ws = new Workspace(tempDir());
    ws.putStudy(STUDY);
    const proposed = segment('ai-1', (m) => m[0]!.data.fill(1, 0, 30), {
      source: 'ai',
      prompt: 'lesion',
      algorithm: 'NTP',
    });
    const untouched = segment('ai-2', (m) => m[1]!.data.fill(1, 0, 10), {
      source: 'ai',
      prompt: 'other',
      algorithm: 'NTP',
    });
    ws.recordProposal(STUDY.key, { segmentUid: 'ai-1', prompt: 'lesion', algorithm: 'NTP', masks: proposed.masks });
    ws.recordProposal(STUDY.key, { segmentUid: 'ai-2', prompt: 'other', algorithm: 'NTP', masks: untouched.masks });
    const original = proposed.masks.map((m) => ({ ...m, data: m.data.slice() }));
    ws.saveSegments(STUDY.key, [proposed, untouched]);
    expect(ws.listCorrections()).toEqual([]);

    proposed.masks[0]!.data.fill(0, 20, 30);
    proposed.masks[2]!.data[5] = 1;
    ws.saveSegments(STUDY.key, [proposed, untouched]);
    const corrections = ws.listCorrections();
    expect(corrections.map((c) => c.segmentUid)).toEqual(['ai-1']);
    expect(corrections[0]).toMatchObject({ studyKey: STUDY.key, prompt: 'lesion', algorithm: 'NTP' });
    for (const [f, m] of original.entries()) expect(masksEqual(corrections[0]!.proposal[f]!, m)).toBe(true);
    for (const [f, m] of proposed.masks.entries()) expect(masksEqual(corrections[0]!.corrected[f]!, m)).toBe(true);
    ws.close();
  });

  it('commits one step: only the given frames change, unlisted segments go, order follows', () => {
    const ws = new Workspace(tempDir());
    ws.putStudy(STUDY);
    const a = segment('a', (m) => {
      m[0]!.data.fill(1, 0, 4);
      m[2]!.data.fill(1, 0, 6);
    });
    ws.saveSegments(STUDY.key, [a, segment('b', () => {}), segment('c', () => {})]);
    const stroke = createMask(16, 8);
    stroke.data.fill(1, 10, 20);
    const { masks: _, ...info } = a;
    ws.commitSegments(STUDY.key, {
      order: ['c', 'a'],
      changed: [{ info: { ...info, name: 'Lung' }, frames: new Map([[2, stroke]]) }],
      edits: [{ segmentUid: 'a', action: 'Brush', frame: 2 }],
    });
    const loaded = ws.loadSegments(STUDY.key);
    expect(loaded.map((s) => s.id)).toEqual(['c', 'a']);
    expect(loaded[1]!.name).toBe('Lung');
    expect(masksEqual(loaded[1]!.masks[0]!, a.masks[0]!)).toBe(true);
    expect(masksEqual(loaded[1]!.masks[2]!, stroke)).toBe(true);
    expect(ws.listEdits(STUDY.key).at(-1)).toMatchObject({ segmentUid: 'a', action: 'Brush', frame: 2 });
    ws.close();
  });

  it('refuses a commit it cannot apply whole, writing nothing', () => {
    const ws = new Workspace(tempDir());
    ws.putStudy(STUDY);
    ws.saveSegments(STUDY.key, [segment('a', (m) => m[0]!.data.fill(1, 0, 3))]);
    const { masks, ...info } = segment('new', () => {});
    const one = new Map([[0, masks[0]!]]);
    expect(() => ws.commitSegments(STUDY.key, { order: ['new'], changed: [{ info, frames: one }] })).toThrow(
      'needs all 3 frames',
    );
    expect(() => ws.commitSegments(STUDY.key, { order: ['a', 'ghost'], changed: [] })).toThrow('ghost');
    const bad = new Map([[7, masks[0]!]]);
    expect(() =>
      ws.commitSegments(STUDY.key, { order: ['a'], changed: [{ info: { ...info, id: 'a' }, frames: bad }] }),
    ).toThrow('frame 7 out of range');
    expect(ws.loadSegments(STUDY.key).map((s) => ws.listStudies()[0]!.segmentCount + s.id)).toEqual(['1a']);
    ws.close();
  });

  it('an AI answer committed before its proposal is recorded is not a correction', () => {
    const ws = new Workspace(tempDir());
    ws.putStudy(STUDY);
    const answer = segment('ai', (m) => m[1]!.data.fill(1, 0, 9), { source: 'ai', prompt: 'lung', algorithm: 'NTP' });
    ws.recordProposal(STUDY.key, {
      segmentUid: 'ai',
      prompt: 'old',
      algorithm: 'NTP',
      masks: segment('x', () => {}).masks,
    });
    ws.saveSegments(STUDY.key, [answer]);
    expect(ws.correctedSegmentUids(STUDY.key)).toEqual(new Set(['ai']));
    ws.recordProposal(STUDY.key, { segmentUid: 'ai', prompt: 'lung', algorithm: 'NTP', masks: answer.masks });
    expect(ws.correctedSegmentUids(STUDY.key)).toEqual(new Set());
    ws.close();
  });

  it('survives a writer killed mid-save: opens intact with every committed save', async () => {
    const dir = tempDir();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'crash-writer.fixture.ts'), dir],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const lines: string[] = [];
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    await new Promise<void>((resolve, reject) => {
      createInterface({ input: child.stdout! }).on('line', (line) => {
        lines.push(line);
        if (line === 'big-save-started') {
          // Kill without warning once the unfinished transaction has spilled pages into the WAL.
          const wal = join(dir, `${DATABASE_FILE}-wal`);
          const walSize = () => (existsSync(wal) ? statSync(wal).size : 0);
          const before = walSize();
          const poll = setInterval(() => {
            if (walSize() > before + (1 << 20)) {
              clearInterval(poll);
              child.kill('SIGKILL');
              resolve();
            }
          }, 5);
        }
      });
      child.once('exit', () => reject(new Error(`writer exited early: ${lines.join(' | ')}`)));
    });
    expect(await exited).toBe('SIGKILL');
    expect(lines).not.toContain('big-save-done');
    expect(lines).toContain('committed 5');

    const ws = new Workspace(dir);
    expect(ws.db.pragma('integrity_check', { simple: true })).toBe('ok');
    const loaded = ws.loadSegments(CRASH_STUDY.key);
    const expected = savedSegments(5);
    expect(loaded.map((s) => s.id)).toEqual(expected.map((s) => s.id));
    for (const [i, s] of expected.entries()) {
      for (const [f, m] of s.masks.entries())
        expect(masksEqual(loaded[i]!.masks[f]!, m), `${s.id} frame ${f}`).toBe(true);
    }
    expect(ws.listEdits(CRASH_STUDY.key).map((e) => e.action)).toEqual([
      'save 1',
      'save 2',
      'save 3',
      'save 4',
      'save 5',
    ]);
    ws.close();
  });
});

describe('two writers on one workspace', () => {
  it('refuses a stale save instead of overwriting ten newer ones', () => {
    const dir = tempDir();
    const a = new Workspace(dir);
    const b = new Workspace(dir);
    a.putStudy(STUDY);
    const loadedByA = a.studyVersion(STUDY.key);
    let version = b.studyVersion(STUDY.key);
    for (let n = 1; n <= 10; n++) {
      version = b.saveSegments(STUDY.key, [segment(`b-${n}`, (m) => m[0]!.data.fill(1, 0, n))], [], version);
    }
    expect(version).toBe(loadedByA + 10);
    expect(() => a.saveSegments(STUDY.key, [segment('a', (m) => m[1]!.data.fill(1))], [], loadedByA)).toThrow(
      WorkspaceConflictError,
    );
    expect(() => a.saveSegments(STUDY.key, [], [], loadedByA)).toThrow(/saved elsewhere .*nothing was overwritten/);
    expect(a.loadSegments(STUDY.key).map((s) => s.id)).toEqual(['b-10']);
    expect(a.studyVersion(STUDY.key)).toBe(version);
    // Reloaded, A saves over the current version.
    expect(a.saveSegments(STUDY.key, [segment('a', () => {})], [], a.studyVersion(STUDY.key))).toBe(version + 1);
    a.close();
    b.close();
  });

  it('tells a second process who holds the workspace, and takes over once it is gone', async () => {
    const dir = tempDir();
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'lock-holder.fixture.ts'), dir],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    expect((await lines.next()).value).toBe('holding');
    const ws = new Workspace(dir);
    expect(
      ws.listStudies().map((s) => s.key),
      'reading needs no lock',
    ).toEqual(['held']);
    let error: unknown;
    try {
      ws.putStudy(STUDY);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(WorkspaceLockedError);
    expect(String(error)).toContain(`in use by nextmask`);
    expect(String(error)).toContain(`process ${child.pid}`);
    expect(() => ws.saveSegments('held', [])).toThrow(WorkspaceLockedError);
    expect(ws.loadSegments('held')).toEqual([]);

    // A killed holder leaves its lock file behind; a dead process holds nothing.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(join(dir, LOCK_FILE))).toBe(true);
    ws.putStudy(STUDY);
    expect(ws.listStudies().map((s) => s.key)).toEqual(['held', STUDY.key]);
    ws.close();
    expect(existsSync(join(dir, LOCK_FILE)), 'closing releases the lock').toBe(false);
  });

  it('closes the database when opening a damaged one fails', () => {
    const dir = tempDir();
    const path = join(dir, DATABASE_FILE);
    writeFileSync(path, 'not a database, but long enough to be read as one '.repeat(200));
    const openHandles = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === path;
        } catch {
          return false;
        }
      }).length;
    expect(() => new Workspace(dir)).toThrow(/not a database/);
    expect(openHandles()).toBe(0);
  });
});

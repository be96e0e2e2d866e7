// Fine-tuned model versions, kept in the workspace (`<workspace>/models/`), never in the shipped
// models/ folder. A version is a model folder (inference graphs, tokenizers, model.json) plus
// version.json (parent, cases, settings, before/after metrics and the verdict, date), het-memory.json (HET's memory,
// which the next round continues) and manifest.json (sha256 of every file, the format `nextmask
// export` writes). Runs write into a staging folder that is renamed into place only when complete,
// and the active version is one small file replaced atomically, so a crash at any moment leaves the
// active version and every finished version as they were.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecutionProviderChoice } from '../../shared/segment-types';
import { readInputFile } from '../files/read-input';
import { hashFiles, verifyManifest } from '../model-files/manifest';
import { MODEL_FILES, readModelFile } from '../model-files/model-folder';
import type { HardError } from '../training/het-memory';
import type { EpochRecord } from './epochs';
import type { CaseScore, FineTuneSettings, RunProvider } from './job';
import type { Verdict } from './round-choice';

export const VERSIONS_DIR = 'models';
/** The shipped model, as `activate` and `parent` name it. */
export const BASE = 'base';
const ACTIVE_FILE = 'active.json';
const STAGING = '.staging-';
export const VERSION_FILES = { info: 'version.json', het: 'het-memory.json' };
const FORMAT = 'nextmask-model-version';

export interface VersionInfo {
  format: typeof FORMAT;
  id: string;
  /** The version it was fine-tuned from (BASE: the shipped model). */
  parent: string;
  createdAt: string;
  /**
   * Item ids: trained on, held back from the steps to choose the epoch, held out to judge the version
   * (`heldBack` absent: a version written before rounds held cases back).
   */
  cases: { train: string[]; heldBack?: string[]; heldOut: string[] };
  settings: FineTuneSettings;
  /** The provider asked for, the one the training ran on, and why the asked one did not, when it did not. */
  provider: { requested: ExecutionProviderChoice } & RunProvider;
  metrics: {
    /** Mean held-out Dice of the parent and of this version. */
    before: number;
    after: number;
    cases: CaseScore[];
    epochs: StoredEpoch[];
    bestEpoch: number;
    /** The lesion cut it answers with (model.json `decoding.lesionCut`, or its parent's); absent in older versions. */
    lesionCut?: number;
    /** Absent: a version written before rounds judged themselves. */
    verdict?: Verdict;
    seconds: number;
  };
}

/** An epoch as version.json keeps it: older versions chose by the loss and have no `decodedDice`. */
export type StoredEpoch = Omit<EpochRecord, 'decodedDice'> & { decodedDice?: number };

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** How a version's files are written: whole, then synced. A test passes one that fails part-way (a full disk). */
export type WriteFile = (path: string, bytes: string | Uint8Array) => Promise<void>;

/** Error codes of a write the disk had no room for: full, over quota, over the file size limit. */
const NO_ROOM = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/** `err` in the clinician's words when the disk had no room for a write (any other error as it is). */
export function explainNoRoom(err: unknown, consequence: string): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !NO_ROOM.has(code)) return err;
  return new Error(`not enough room on the disk (${code}): ${consequence}; free some space and try again`, {
    cause: err,
  });
}

async function writeSynced(path: string, bytes: string | Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class ModelVersions {
  readonly dir: string;

  /** `baseDir`: the shipped model folder, used when no version is active. */
  constructor(
    workspaceDir: string,
    readonly baseDir: string,
    private readonly write: WriteFile = writeSynced,
  ) {
    this.dir = join(workspaceDir, VERSIONS_DIR);
  }

  private versionDir(id: string): string {
    if (!/^[\w.-]+$/.test(id) || id.startsWith(STAGING) || id === BASE)
      throw new Error(`"${id}" is not a version name`);
    return join(this.dir, id);
  }

  async list(): Promise<VersionInfo[]> {
    if (!existsSync(this.dir)) return [];
    const out: VersionInfo[] = [];
    for (const entry of await readdir(this.dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith(STAGING)) continue;
      const info = await this.info(entry.name).catch(() => null);
      if (info) out.push(info);
    }
    return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async info(id: string): Promise<VersionInfo> {
    const path = join(this.versionDir(id), VERSION_FILES.info);
    if (!existsSync(path)) throw new Error(`no version "${id}" in ${this.dir}`);
    const info = JSON.parse(await readFile(path, 'utf8')) as VersionInfo;
    if (info.format !== FORMAT || info.id !== id) throw new Error(`${path} is not a model version`);
    return info;
  }

  /** The active version's name, BASE when none is. A missing or damaged version falls back to the base. */
  async active(): Promise<string> {
    return this.activeNow();
  }

  /** `active()` without waiting (read once, at start-up, before anything else runs). */
  activeNow(): string {
    try {
      const { active } = JSON.parse(readFileSync(join(this.dir, ACTIVE_FILE), 'utf8')) as { active?: string };
      if (active && active !== BASE && existsSync(join(this.versionDir(active), VERSION_FILES.info))) return active;
    } catch {
      // No choice made yet.
    }
    return BASE;
  }

  /** The model folder of a version (BASE: the shipped one). */
  modelDir(id: string): string {
    return id === BASE ? this.baseDir : this.versionDir(id);
  }

  async activeDir(): Promise<string> {
    return this.modelDir(await this.active());
  }

  /** Makes `id` (or BASE) the model the segmenter answers with; a version's files are checked first. */
  async activate(id: string): Promise<void> {
    if (id !== BASE) {
      await this.info(id);
      await verifyManifest(this.versionDir(id));
    }
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `${ACTIVE_FILE}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      await this.write(tmp, `${JSON.stringify({ active: id })}\n`);
    } catch (err) {
      await rm(tmp, { force: true });
      throw explainNoRoom(err, `${id} was not activated; the active model is still ${await this.active()}`);
    }
    await rename(tmp, join(this.dir, ACTIVE_FILE));
    await syncDir(this.dir);
  }

  async hetMemory(id: string): Promise<Record<string, HardError[]> | undefined> {
    if (id === BASE) return undefined;
    const path = join(this.versionDir(id), VERSION_FILES.het);
    return existsSync(path) ? (JSON.parse(await readFile(path, 'utf8')) as Record<string, HardError[]>) : undefined;
  }

  /** A fresh staging folder for a run's model (left-over ones of killed runs are removed first). */
  async stage(): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    for (const entry of await readdir(this.dir)) {
      if (entry.startsWith(STAGING)) await rm(join(this.dir, entry), { recursive: true, force: true });
    }
    const dir = join(this.dir, `${STAGING}${process.pid}-${randomBytes(4).toString('hex')}`);
    await mkdir(dir);
    return dir;
  }

  async discard(staging: string): Promise<void> {
    await rm(staging, { recursive: true, force: true });
  }

  /** A name for a new version: v<n> one past the highest so far, and a random tag (versions travel between workspaces). */
  async nextId(): Promise<string> {
    const taken = existsSync(this.dir) ? await readdir(this.dir) : [];
    const n = Math.max(0, ...taken.map((t) => Number(/^v(\d+)-/.exec(t)?.[1] ?? 0)));
    return `v${n + 1}-${randomBytes(2).toString('hex')}`;
  }

  /**
   * Completes a staged model folder as a version: writes version.json and het-memory.json, a manifest
   * over every file, syncs them, and renames the folder into place.
   */
  async commit(
    staging: string,
    info: Omit<VersionInfo, 'format' | 'id' | 'createdAt'>,
    het: Record<string, HardError[]>,
  ): Promise<VersionInfo> {
    const id = await this.nextId();
    const full: VersionInfo = { format: FORMAT, id, createdAt: new Date().toISOString(), ...info };
    await this.write(join(staging, VERSION_FILES.info), `${JSON.stringify(full, null, 2)}\n`);
    await this.write(join(staging, VERSION_FILES.het), JSON.stringify(het));
    await this.seal(staging);
    await rename(staging, this.versionDir(id));
    await syncDir(this.dir);
    return full;
  }

  /** Rewrites a folder's manifest over all its files and syncs each of them. */
  private async seal(dir: string): Promise<void> {
    const names = (await readdir(dir)).filter((n) => n !== MODEL_FILES.manifest);
    const manifest = { sha256: await hashFiles(dir, names) };
    await this.write(join(dir, MODEL_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
    for (const name of names) {
      const handle = await open(join(dir, name), 'r');
      await handle.sync();
      await handle.close();
    }
    await syncDir(dir);
  }

  /** One file holding a version: magic, header length, JSON header (info and files), the files' bytes. */
  async exportFile(id: string, path: string): Promise<void> {
    const dir = this.versionDir(id);
    const info = await this.info(id);
    await verifyManifest(dir);
    const names = (await readdir(dir)).sort();
    const bytes = await Promise.all(names.map((n) => readFile(join(dir, n))));
    const header = Buffer.from(
      JSON.stringify({
        format: BUNDLE_FORMAT,
        info,
        files: names.map((name, i) => ({
          name,
          size: (bytes[i] as Buffer).length,
          sha256: createHash('sha256')
            .update(bytes[i] as Buffer)
            .digest('hex'),
        })),
      }),
    );
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    const tmp = `${path}.tmp-${process.pid}`;
    try {
      await this.write(tmp, Buffer.concat([BUNDLE_MAGIC, length, header, ...bytes]));
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw explainNoRoom(err, `${path} was not written`);
    }
  }

  /** Adds a version exported elsewhere; a damaged, foreign or tampered file is refused and nothing is written. */
  async importFile(path: string): Promise<VersionInfo> {
    const bytes = await readInputFile(path);
    const bad = (why: string) => new Error(`${path} is not a NextMask model version file: ${why}`);
    if (bytes.length < 12 || !bytes.subarray(0, 8).equals(BUNDLE_MAGIC)) throw bad('wrong magic bytes');
    const headerLength = bytes.readUInt32LE(8);
    if (12 + headerLength > bytes.length) throw bad('truncated header');
    let header: { format?: string; info?: VersionInfo; files?: { name: string; size: number; sha256: string }[] };
    try {
      header = JSON.parse(bytes.subarray(12, 12 + headerLength).toString('utf8'));
    } catch {
      throw bad('unreadable header');
    }
    const { info, files } = header;
    if (header.format !== BUNDLE_FORMAT || !info || info.format !== FORMAT || !Array.isArray(files))
      throw bad('unknown format');
    const total = files.reduce((a, f) => a + f.size, 0);
    if (12 + headerLength + total !== bytes.length) throw bad('its length does not match its file list (truncated?)');
    if (existsSync(join(this.dir, info.id))) throw new Error(`version "${info.id}" is already in this workspace`);
    this.versionDir(info.id);
    const staging = await this.stage();
    try {
      let at = 12 + headerLength;
      for (const f of files) {
        if (!/^[\w.-]+$/.test(f.name) || f.name.startsWith('.')) throw bad(`bad file name ${f.name}`);
        const data = bytes.subarray(at, at + f.size);
        at += f.size;
        if (createHash('sha256').update(data).digest('hex') !== f.sha256) throw bad(`${f.name} is damaged`);
        await this.write(join(staging, f.name), data);
      }
      await verifyManifest(staging);
      await readModelFile(staging);
      const stored = JSON.parse(await readFile(join(staging, VERSION_FILES.info), 'utf8')) as VersionInfo;
      if (JSON.stringify(stored) !== JSON.stringify(info)) throw bad('its header and version.json disagree');
      await syncDir(staging);
      await rename(staging, this.versionDir(info.id));
      await syncDir(this.dir);
      return info;
    } catch (err) {
      await this.discard(staging);
      throw explainNoRoom(err, `the version was not added to ${this.dir}`);
    }
  }
}

const BUNDLE_MAGIC = Buffer.from('NMVERS01');
const BUNDLE_FORMAT = 'nextmask-model-version-file';

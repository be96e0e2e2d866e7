// A model folder's manifest.json: the sha256 of every file in it. Written by `nextmask export`,
// training and fine-tuning; checked before any model folder is loaded, so a damaged download, a
// tampered file or a half-copied version is refused by name instead of answering quietly wrong.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const MANIFEST_FILE = 'manifest.json';

export class ModelFilesError extends Error {
  constructor(dir: string, problem: string) {
    super(`model files changed or damaged: ${problem} (in ${dir}); reinstall or re-export the model`);
    this.name = 'ModelFilesError';
  }
}

async function sha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** sha256 of each named file of `dir`, as manifest.json holds them (names sorted). */
export async function hashFiles(dir: string, names: readonly string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const name of [...names].sort()) out[name] = await sha256(join(dir, name));
  return out;
}

/** Writes `dir`'s manifest over the named files. */
export async function writeManifest(dir: string, names: readonly string[]): Promise<void> {
  const manifest = { sha256: await hashFiles(dir, names) };
  await writeFile(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/**
 * Checks every file `dir`'s manifest lists against its sha256, and that each of `required` is
 * listed; throws ModelFilesError naming the first file that is missing, unlisted or different.
 */
export async function verifyManifest(dir: string, required: readonly string[] = []): Promise<void> {
  const path = join(dir, MANIFEST_FILE);
  if (!existsSync(path)) throw new ModelFilesError(dir, `${MANIFEST_FILE} is missing`);
  let listed: [string, unknown][];
  try {
    const manifest = JSON.parse(await readFile(path, 'utf8')) as { sha256?: unknown };
    if (typeof manifest.sha256 !== 'object' || manifest.sha256 === null) throw new Error('no sha256 table');
    listed = Object.entries(manifest.sha256);
  } catch (err) {
    throw new ModelFilesError(dir, `${MANIFEST_FILE} is unreadable (${(err as Error).message})`);
  }
  if (listed.length === 0) throw new ModelFilesError(dir, `${MANIFEST_FILE} lists no files`);
  const names = new Set(listed.map(([name]) => name));
  for (const name of required)
    if (!names.has(name)) throw new ModelFilesError(dir, `${name} is not in ${MANIFEST_FILE}`);
  for (const [name, hash] of listed) {
    if (name.includes('/') || name.includes('\\') || name.startsWith('.') || typeof hash !== 'string') {
      throw new ModelFilesError(dir, `${MANIFEST_FILE} has a bad entry "${name}"`);
    }
    if (!existsSync(join(dir, name))) throw new ModelFilesError(dir, `${name} is missing`);
    if ((await sha256(join(dir, name))) !== hash) {
      throw new ModelFilesError(dir, `${name} does not match its sha256 in ${MANIFEST_FILE}`);
    }
  }
}

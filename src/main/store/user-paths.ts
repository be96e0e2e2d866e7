// Paths people type for exports and imports: `~` expanded, relative ones taken from the default
// export folder (never the process's working folder), the format's extension added, and file
// system failures told as plain sentences instead of ENOENT/EISDIR/EACCES codes.
import { stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { ExportFormat } from '../../shared/labelmap/channels';
import { UserFacingError } from '../errors';

export const EXTENSIONS: Record<ExportFormat, string> = { seg: '.dcm', nifti: '.nii.gz', png: '.png' };

/** `~` and `~/x` from the home folder; a relative path from `baseDir`. */
export function resolveUserPath(typed: string, baseDir: string): string {
  const path = typed.trim();
  if (path === '~') return homedir();
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(homedir(), path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(baseDir, path);
}

/** The path with the format's extension, added when the name has none of its own. */
export function withExtension(path: string, format: ExportFormat): string {
  const lower = path.toLowerCase();
  const ext = EXTENSIONS[format];
  if (lower.endsWith(ext) || (format === 'nifti' && lower.endsWith('.nii'))) return path;
  return `${path}${ext}`;
}

/** Refuses a folder as an export target, before anything is written. */
export async function checkNotFolder(path: string): Promise<void> {
  const info = await stat(path).catch(() => null);
  if (info?.isDirectory()) throw new UserFacingError(`${path} is a folder: give a file name inside it`);
}

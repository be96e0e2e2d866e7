// File system failures as sentences a radiologist can act on ("no file at …") instead of Node's
// ENOENT/EISDIR/EACCES codes, for every path a person types or picks.
import { UserFacingError } from '../errors';

/**
 * The sentence for a file system error about `path`, or null when it is not one. `path` null: the
 * sentence leaves it out, for lists that show each path beside its problem.
 */
export function fsProblem(err: unknown, path: string | null, writing: boolean): string | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const it = path ?? 'it';
  switch (code) {
    case 'ENOENT':
      if (writing) return path ? `the folder for ${path} does not exist` : 'its folder does not exist';
      return path ? `no file at ${path}` : 'no such file or folder';
    case 'EISDIR':
      return `${path ?? 'it'} is a folder: give a file name inside it`;
    case 'ENOTDIR':
      return `part of ${path ?? 'the path'} is a file, not a folder`;
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return `no permission to ${writing ? 'write' : 'read'} ${it}`;
    default:
      return null;
  }
}

/** A file system error as a sentence about `path`; other errors pass through. */
export function plainFsError(err: unknown, path: string, writing: boolean): unknown {
  const problem = fsProblem(err, path, writing);
  return problem ? new UserFacingError(problem) : err;
}

// Writing an output file whole or not at all: into a temporary name beside it, then renamed over
// the target, so a crash, a full disk or a failed encoder never leaves half a file under the
// name the user asked for (nor destroys the previous one).
import { rename, rm } from 'node:fs/promises';

/** Runs `write(tmp)` and renames tmp to `path`; on failure nothing is left behind. */
export async function writeWhole(path: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${path}.${process.pid}.partial`;
  try {
    await write(tmp);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Error(`cannot write ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

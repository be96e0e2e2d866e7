// Debian dicom3tools' DICOM validator, for tests of the files we write.
import { spawnSync } from 'node:child_process';

/** The error lines of dciodvfy's report (its warnings about the source's own attributes are not ours to fix). */
export function dciodvfyErrors(path: string): string[] {
  const run = spawnSync('dciodvfy', [path], { encoding: 'utf8' });
  if (run.error) throw new Error(`dciodvfy: ${run.error.message} (apt-get install dicom3tools; bash .ci/run does)`);
  return `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => l.startsWith('Error'));
}

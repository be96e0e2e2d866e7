// Where tests find the real data: ../shared beside the repository (never copied into it).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const SHARED_DIR = process.env.NEXTMASK_SHARED_DIR ?? resolve(REPO_ROOT, '../shared');
export const SHARED_DICOM = resolve(SHARED_DIR, 'dicom');
export const SHARED_DATA = resolve(SHARED_DIR, 'data');

export function sharedPath(...parts: string[]): string {
  const path = resolve(SHARED_DIR, ...parts);
  if (!existsSync(path)) throw new Error(`test data missing: ${path} (expected ../shared beside the repository)`);
  return path;
}

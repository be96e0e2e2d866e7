// Which better-sqlite3 native module to load: Node's (the default) or the Electron build beside the app.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * better-sqlite3's native module is built for Node's ABI (tests, CLI, `nextmask serve`).
 * Electron has its own ABI, so `npm start` puts an Electron build beside the app
 * (scripts/electron-sqlite.mjs → .cache/electron-native/) and Electron loads that one;
 * NEXTMASK_SQLITE_BINDING overrides both.
 */
export function sqliteBinding(): string | undefined {
  if (process.env.NEXTMASK_SQLITE_BINDING) return process.env.NEXTMASK_SQLITE_BINDING;
  if (!process.versions.electron) return undefined;
  // The bundle may sit at out/main/ or out/main/chunks/: look upwards for the repository's .cache.
  for (let dir = import.meta.dirname, up = 0; up < 5; dir = dirname(dir), up++) {
    const built = join(dir, '.cache', 'electron-native', 'better_sqlite3.node');
    if (existsSync(built)) return built;
  }
  return undefined;
}

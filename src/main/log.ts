// Main-process log: stderr always, a file when configured. Per-file decode errors and
// failed calls land here so a PACS admin can read what happened.
import { appendFileSync } from 'node:fs';

type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

let file: string | undefined;
let threshold: Level =
  (process.env.NEXTMASK_LOG_LEVEL as Level) in ORDER ? (process.env.NEXTMASK_LOG_LEVEL as Level) : 'info';

function format(value: unknown): string {
  if (value instanceof Error) return value.stack ?? value.message;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function write(level: Level, parts: unknown[]): void {
  if (ORDER[level] < ORDER[threshold]) return;
  const line = `${new Date().toISOString()} ${level.toUpperCase()} ${parts.map(format).join(' ')}`;
  process.stderr.write(`${line}\n`);
  if (file) {
    try {
      appendFileSync(file, `${line}\n`);
    } catch {
      // A full or read-only disk must not take the app down with it.
    }
  }
}

export const log = {
  debug: (...parts: unknown[]) => write('debug', parts),
  info: (...parts: unknown[]) => write('info', parts),
  warn: (...parts: unknown[]) => write('warn', parts),
  error: (...parts: unknown[]) => write('error', parts),
  toFile(path: string | undefined) {
    file = path;
  },
  setLevel(level: Level) {
    threshold = level;
  },
};

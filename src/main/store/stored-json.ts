import type { Schema } from '../../shared/validate';

/** A JSON column parsed by its schema; a value that no longer parses is dropped, not fatal. */
export function storedJson<T>(text: string | null, schema: Schema<T>): T | null {
  if (!text) return null;
  try {
    return schema.parse(JSON.parse(text));
  } catch {
    return null;
  }
}

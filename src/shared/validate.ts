// A tiny runtime validator for IPC arguments. Every value that crosses the process
// boundary is checked before a handler sees it; the static type is derived from the
// same schema so the two cannot drift apart.

export class ValidationError extends Error {
  constructor(
    readonly path: string,
    readonly expected: string,
  ) {
    super(`${path || 'value'}: expected ${expected}`);
    this.name = 'ValidationError';
  }
}

export interface Schema<T> {
  readonly describe: string;
  /** Returns the value (typed) or throws ValidationError naming the offending path. */
  parse(value: unknown, path?: string): T;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

function schema<T>(describe: string, check: (value: unknown, path: string) => T): Schema<T> {
  return { describe, parse: (value, path = '') => check(value, path) };
}

function fail(path: string, expected: string): never {
  throw new ValidationError(path, expected);
}

export function string(opts: { min?: number; max?: number; pattern?: RegExp } = {}): Schema<string> {
  const { min = 0, max = 100_000, pattern } = opts;
  const describe = `string of length ${min}..${max}${pattern ? ` matching ${pattern}` : ''}`;
  return schema(describe, (v, path) => {
    if (typeof v !== 'string' || v.length < min || v.length > max) fail(path, describe);
    if (pattern && !pattern.test(v)) fail(path, describe);
    return v;
  });
}

export function number(opts: { min?: number; max?: number; integer?: boolean } = {}): Schema<number> {
  const { min = -Number.MAX_VALUE, max = Number.MAX_VALUE, integer = false } = opts;
  const describe = `${integer ? 'integer' : 'number'} in [${min}, ${max}]`;
  return schema(describe, (v, path) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) fail(path, describe);
    if (integer && !Number.isInteger(v)) fail(path, describe);
    return v;
  });
}

export function boolean(): Schema<boolean> {
  return schema('boolean', (v, path) => (typeof v === 'boolean' ? v : fail(path, 'boolean')));
}

export function literal<const T extends readonly (string | number | boolean)[]>(...values: T): Schema<T[number]> {
  const describe = `one of ${values.map((x) => JSON.stringify(x)).join(', ')}`;
  return schema(describe, (v, path) => (values.includes(v as T[number]) ? (v as T[number]) : fail(path, describe)));
}

export function array<T>(item: Schema<T>, opts: { max?: number } = {}): Schema<T[]> {
  const { max = 100_000 } = opts;
  const describe = `array (at most ${max}) of ${item.describe}`;
  return schema(describe, (v, path) => {
    if (!Array.isArray(v) || v.length > max) fail(path, describe);
    const out: T[] = [];
    // An index loop, not map(): map skips the holes of a sparse array and keeps them as holes.
    for (let i = 0; i < v.length; i++) {
      if (!Object.hasOwn(v, i)) fail(`${path}[${i}]`, `${item.describe} (the array has a hole here)`);
      out.push(item.parse(v[i], `${path}[${i}]`));
    }
    return out;
  });
}

/** Binary data (bit-packed masks): both transports deliver a Uint8Array. */
export function bytes(opts: { max?: number } = {}): Schema<Uint8Array> {
  const { max = 1 << 30 } = opts;
  const describe = `Uint8Array of at most ${max} bytes`;
  return schema(describe, (v, path) => (v instanceof Uint8Array && v.byteLength <= max ? v : fail(path, describe)));
}

export function optional<T>(inner: Schema<T>): Schema<T | undefined> & { optional: true } {
  return {
    optional: true,
    describe: `optional ${inner.describe}`,
    parse: (v, path = '') => (v === undefined ? undefined : inner.parse(v, path)),
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type ObjectOf<S extends Shape> = { [K in Exclude<keyof S, OptionalKeys<S>>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Infer<S[K]>;
};

/**
 * A plain object with exactly these keys; unknown keys are rejected, not silently dropped.
 * Own properties only: `__proto__`, `constructor` or `toString` are unknown keys, not inherited ones.
 */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  const keys = Object.keys(shape);
  const describe = `object {${keys.join(', ')}}`;
  return schema(describe, (v, path) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, describe);
    const record = v as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      if (!Object.hasOwn(shape, key)) fail(path ? `${path}.${key}` : key, 'no such field');
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const value = Object.hasOwn(record, key) ? record[key] : undefined;
      const parsed = (shape[key] as Schema<unknown>).parse(value, path ? `${path}.${key}` : key);
      if (parsed !== undefined) out[key] = parsed;
    }
    return out as ObjectOf<S>;
  });
}

import { describe, expect, it } from 'vitest';
import { argSchemas } from './ipc';
import * as v from './validate';

describe('validate', () => {
  const schema = v.object({
    name: v.string({ min: 1, max: 5 }),
    count: v.number({ min: 0, max: 10, integer: true }),
    mode: v.literal('a', 'b'),
    tags: v.optional(v.array(v.string(), { max: 2 })),
  });

  it('accepts a valid value and drops nothing', () => {
    expect(schema.parse({ name: 'abc', count: 3, mode: 'b', tags: ['x'] })).toEqual({
      name: 'abc',
      count: 3,
      mode: 'b',
      tags: ['x'],
    });
    expect(schema.parse({ name: 'abc', count: 0, mode: 'a' })).toEqual({ name: 'abc', count: 0, mode: 'a' });
  });

  it.each([
    [{ name: '', count: 1, mode: 'a' }, 'name'],
    [{ name: 'toolong', count: 1, mode: 'a' }, 'name'],
    [{ name: 'a', count: 1.5, mode: 'a' }, 'count'],
    [{ name: 'a', count: Number.NaN, mode: 'a' }, 'count'],
    [{ name: 'a', count: 11, mode: 'a' }, 'count'],
    [{ name: 'a', count: 1, mode: 'c' }, 'mode'],
    [{ name: 'a', count: 1, mode: 'a', tags: ['x', 'y', 'z'] }, 'tags'],
    [{ name: 'a', count: 1, mode: 'a', tags: [1] }, 'tags[0]'],
    [{ name: 'a', count: 1, mode: 'a', extra: true }, 'extra'],
  ])('rejects %j at %s', (value, path) => {
    expect(() => schema.parse(value)).toThrowError(new RegExp(`^${path.replace(/[[\]]/g, '\\$&')}:`));
  });

  it('rejects non-objects', () => {
    for (const bad of [null, [], 'x', 3]) expect(() => schema.parse(bad)).toThrow(v.ValidationError);
  });

  it.each([
    ['__proto__', '{"name":"a","count":1,"mode":"a","__proto__":{"polluted":true}}'],
    ['constructor', '{"name":"a","count":1,"mode":"a","constructor":"x"}'],
    ['toString', '{"name":"a","count":1,"mode":"a","toString":"x"}'],
    ['hasOwnProperty', '{"name":"a","count":1,"mode":"a","hasOwnProperty":1}'],
  ])('refuses the inherited name %s as an unknown key', (key, json) => {
    expect(() => schema.parse(JSON.parse(json))).toThrowError(new RegExp(`^${key}: expected no such field`));
  });

  it('reads own properties only, never inherited ones', () => {
    const inherited = Object.create({ name: 'abc', count: 3, mode: 'a' }) as object;
    expect(() => schema.parse(inherited)).toThrowError(/^name:/);
  });

  it('refuses holes in arrays', () => {
    const sparse: string[] = ['x'];
    sparse.length = 2;
    expect(() => schema.parse({ name: 'a', count: 1, mode: 'a', tags: sparse })).toThrowError(/^tags\[1\]:.*hole/);
    // An explicit undefined is not a hole but still not a string.
    expect(() => schema.parse({ name: 'a', count: 1, mode: 'a', tags: ['x', undefined] })).toThrowError(/^tags\[1\]:/);
  });
});

describe('the contract schemas of the review and test-before-save channels', () => {
  it('finetune:run takes the ticked item ids, and nothing in their place', () => {
    const run = argSchemas['finetune:run'];
    const settings = { epochs: 2, lr: 1e-4, guard: 'l2' as const };
    expect(run.parse({ ...settings, include: ['a#ai-1@0'] })).toEqual({ ...settings, include: ['a#ai-1@0'] });
    expect(() => run.parse({ ...settings, exclude: [] })).toThrow(v.ValidationError);
    expect(() => run.parse({ ...settings, include: [3] })).toThrow('include[0]: expected string');
    expect(() => run.parse({ ...settings, include: [''] })).toThrow('include[0]: expected string of length 1..');
  });

  it('pacs:test takes a whole connection (saved or not) and an optional secret', () => {
    const test = argSchemas['pacs:test'];
    const connection = { name: 'local', baseUrl: 'http://localhost:8042/dicom-web', auth: 'none', timeoutMs: 30_000 };
    expect(test.parse({ connection, secret: 's' })).toEqual({ connection, secret: 's' });
    expect(() => test.parse({ name: 'local' })).toThrow(v.ValidationError);
    expect(() => test.parse({ connection: { ...connection, baseUrl: 'localhost:8042' } })).toThrow(
      /^connection\.baseUrl: expected string/,
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRecordValidator, describeJsonValue } from './json-validator';
import type { Field } from './schema';

const fields = [
  { name: 'id', type: 'int', nullable: false },
  { name: 'big', type: 'bigint' },
  { name: 'x', type: 'double' },
  { name: 'flag', type: 'boolean' },
  { name: 'at', type: 'timestamp' },
  { name: 'tags', type: { kind: 'array', of: 'string' } },
  {
    name: 'items',
    type: { kind: 'array', of: { kind: 'struct', fields: [{ name: 'n', type: 'double', nullable: false }] } },
  },
] as const satisfies readonly Field[];

const lenient = compileRecordValidator(fields, { allowMissing: true });
const strict = compileRecordValidator(fields, { allowMissing: false });

describe('compileRecordValidator', () => {
  it('accepts values of the declared types, nulls and (when allowed) missing nullable fields, and ignores extra fields', () => {
    const full = { id: 1, big: 2 ** 40, x: -1.5, flag: false, at: '2025-01-02 03:04:05.678', tags: ['a'], items: [{ n: 1 }], extra: [[{}]] };
    expect(lenient(full)).toBeUndefined();
    expect(strict(full)).toBeUndefined();
    expect(lenient({ id: 1 })).toBeUndefined();
    expect(lenient({ id: 1, big: null, x: null, flag: null, at: null, tags: null, items: null })).toBeUndefined();
    expect(strict({ id: 1, big: null, x: null, flag: null, at: null, tags: null, items: null })).toBeUndefined();
  });

  it('names the field path and the reason', () => {
    expect(lenient({ id: 1, items: [{ n: 1 }, { n: 2 }, { n: 'abc' }] })).toEqual({ field: 'items[2].n', reason: 'expected a finite number, got string "abc"' });
    expect(lenient({ id: 1, tags: ['a', null] })).toEqual({ field: 'tags[1]', reason: 'expected a value, got null' });
    expect(lenient({ id: 1, items: [{}] })).toEqual({ field: 'items[0].n', reason: 'required, but missing' });
    expect(lenient({ id: null })).toEqual({ field: 'id', reason: 'required, but null' });
    expect(strict({ id: 1 })).toEqual({ field: 'big', reason: 'missing (expected the key, null or a value)' });
    expect(lenient([])).toEqual({ field: '', reason: 'expected an object, got an array' });
    expect(lenient({ id: 1, at: '2025-01-02T03:04:05Z' })?.field).toBe('at');
  });

  it('keeps ints to 32 bits, bigints to safe integers and doubles finite', () => {
    expect(lenient({ id: 2 ** 31 - 1 })).toBeUndefined();
    expect(lenient({ id: 2 ** 31 })?.reason).toBe('expected a 32-bit integer, got number 2147483648');
    expect(lenient({ id: 1.5 })?.field).toBe('id');
    expect(lenient({ id: 1, big: 2 ** 53 })?.field).toBe('big');
    expect(lenient({ id: 1, x: Number.POSITIVE_INFINITY })?.reason).toBe('expected a finite number, got number Infinity');
    expect(lenient({ id: 1, x: Number.NaN })?.field).toBe('x');
  });

  it('shortens long strings in messages', () => {
    expect(describeJsonValue('a'.repeat(100))).toBe(`string "${'a'.repeat(40)}…"`);
  });

  it('never throws, whatever the value', () => {
    fc.assert(
      fc.property(fc.anything(), (value) => {
        const failure = lenient(value);
        if (failure) expect(typeof failure.reason).toBe('string');
      }),
    );
  });
});

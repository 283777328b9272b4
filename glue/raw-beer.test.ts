import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRawBeer } from './raw-beer';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const catalogue = createRequire(import.meta.url)('punkapi-db/data.json') as Record<string, Json>[];
const beer = (id: number) => structuredClone(catalogue.find((b) => b.id === id)!);

/** Every non-null leaf of a value, with its path spelled the way errors spell it. */
function leaves(value: Json, path = ''): { path: string; keys: (string | number)[]; value: Json }[] {
  if (value === null) return [];
  if (Array.isArray(value)) return value.flatMap((v, i) => leaves(v, `${path}[${i}]`).map((l) => ({ ...l, keys: [i, ...l.keys] })));
  if (typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => leaves(v, path === '' ? k : `${path}.${k}`).map((l) => ({ ...l, keys: [k, ...l.keys] })));
  }
  return [{ path, keys: [], value }];
}

function setAt(target: Json, keys: readonly (string | number)[], value: Json): void {
  let node = target as Record<string | number, Json>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string | number, Json>;
  node[keys.at(-1)!] = value;
}

describe('parseRawBeer', () => {
  it('accepts every beer of the catalogue, returning the value itself', () => {
    expect(catalogue).toHaveLength(325);
    for (const b of catalogue) {
      const parsed = parseRawBeer(b);
      expect(parsed, `beer ${b.id}`).toEqual({ ok: true, beer: b });
    }
  });

  it('accepts the v3 shape: `image` instead of `image_url`, and extra fields', () => {
    const { image_url: _, ...rest } = beer(1);
    expect(parseRawBeer({ ...rest, image: '001.png', v3_only: { anything: [1, 'two'] } }).ok).toBe(true);
    expect(parseRawBeer({ ...rest, image: 1 })).toMatchObject({ ok: false, error: { field: 'image' } });
  });

  it('accepts a beer with nothing but id and name; nullable fields may be null or missing', () => {
    expect(parseRawBeer({ id: 1, name: 'Buzz' }).ok).toBe(true);
    expect(parseRawBeer({ id: 1, name: 'Buzz', abv: null, volume: null, ingredients: { hops: null } }).ok).toBe(true);
    expect(parseRawBeer({ id: 1, name: 'Buzz', ingredients: { hops: [{ name: 'Ahtanum' }] } }).ok).toBe(true);
  });

  it('names the field path and the reason', () => {
    const b = beer(1);
    setAt(b, ['ingredients', 'hops', 2, 'amount', 'value'], 'abc');
    expect(parseRawBeer(b)).toEqual({
      ok: false,
      error: { name: 'NotABeer', field: 'ingredients.hops[2].amount.value', message: 'ingredients.hops[2].amount.value: expected a finite number, got string "abc"' },
    });
  });

  it.each([
    ['missing', undefined, 'id: required, but missing'],
    ['null', null, 'id: required, but null'],
    ['zero', 0, 'id: expected a positive integer, got number 0'],
    ['negative', -4, 'id: expected a positive integer, got number -4'],
    ['fractional', 1.5, 'id: expected a 32-bit integer, got number 1.5'],
    ['text', '1', 'id: expected a 32-bit integer, got string "1"'],
    ['beyond 32 bits', 2 ** 31, 'id: expected a 32-bit integer, got number 2147483648'],
  ])('rejects an id that is %s', (_, id, message) => {
    expect(parseRawBeer({ ...beer(1), id })).toEqual({ ok: false, error: { name: 'NotABeer', field: 'id', message } });
  });

  it('requires a name', () => {
    expect(parseRawBeer({ id: 1 })).toMatchObject({ ok: false, error: { field: 'name', message: 'name: required, but missing' } });
    expect(parseRawBeer({ id: 1, name: 7 })).toMatchObject({ ok: false, error: { field: 'name' } });
  });

  it('rejects numbers that JSON turns infinite', () => {
    expect(parseRawBeer(JSON.parse('{"id": 1, "name": "x", "abv": 1e400}'))).toMatchObject({ ok: false, error: { field: 'abv' } });
  });

  it.each([[null], [[]], [[beer(1)]], ['beer'], [42], [true]])('rejects a record that is not an object: %j', (value) => {
    expect(parseRawBeer(value)).toMatchObject({ ok: false, error: { name: 'NotABeer', field: '' } });
  });

  it('for any leaf of any catalogue beer given the wrong type, names exactly that leaf', () => {
    const cases = catalogue.flatMap((b) => leaves(b).map((leaf) => ({ id: b.id as number, ...leaf })));
    fc.assert(
      fc.property(fc.constantFrom(...cases), (leaf) => {
        const b = beer(leaf.id);
        setAt(b, leaf.keys, typeof leaf.value === 'string' ? 1 : String(leaf.value));
        const parsed = parseRawBeer(b);
        expect(parsed.ok).toBe(false);
        if (!parsed.ok) expect(parsed.error.field).toBe(leaf.path);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws, whatever JSON it is given', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const parsed = parseRawBeer(value);
        if (!parsed.ok) expect(parsed.error.message.length).toBeGreaterThan(0);
      }),
    );
  });
});

import fc from 'fast-check';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { hostileText } from '../../glue/hostile-text.test-support';
import { hasLoneSurrogate } from '../../glue/lake-text';
import { baseFeatureColumns } from '../../glue/schema';
import { exampleBeer, isBeerInput, maxHopTextLength, maxHopsPerBeer, predictRequestSchemas } from './beer-request-schema';

const maxBatchSize = 4;
const schemas = predictRequestSchemas(maxBatchSize);

const missing = Symbol('missing');
const withoutMissing = (record: Record<string, unknown>) => Object.fromEntries(Object.entries(record).filter(([, v]) => v !== missing));

/** A value for a number field: mostly inside its range, sometimes at or past an edge, null, absent, or not a number at all. */
const numberField = (range: { min?: number; max?: number } = {}) => {
  const min = range.min ?? -1e6;
  const max = range.max ?? 1e6;
  return fc.oneof(
    { weight: 60, arbitrary: fc.double({ min, max, noNaN: true }) },
    { weight: 2, arbitrary: fc.constantFrom(min, max, min - 1e-9, max + 1e-9, -0, Number.NaN, Infinity, -Infinity) },
    { weight: 1, arbitrary: fc.constantFrom(null, missing) },
    { weight: 1, arbitrary: fc.oneof(fc.string(), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }), fc.object({ maxDepth: 1 })) },
  );
};
const textField = fc.oneof(
  { weight: 60, arbitrary: fc.constantFrom('start', 'Dry Hop', '60', 'bitter', 'Simcoe', '') },
  // At and past the length cap; zod counts code points, so a surrogate pair counts one.
  { weight: 3, arbitrary: fc.constantFrom(maxHopTextLength - 1, maxHopTextLength, maxHopTextLength + 1).map((n) => 'h'.repeat(n)) },
  { weight: 1, arbitrary: fc.constantFrom(maxHopTextLength, maxHopTextLength + 1).map((n) => `${'h'.repeat(n - 1)}\u{1F37A}`) },
  // Lone surrogates, control characters, any code unit: refused (or taken) alike by both.
  { weight: 6, arbitrary: hostileText },
  { weight: 2, arbitrary: fc.constantFrom(null, missing) },
  { weight: 1, arbitrary: fc.oneof(fc.double(), fc.boolean(), fc.array(fc.string(), { maxLength: 2 })) },
);
const hop = fc.oneof(
  { weight: 20, arbitrary: fc.record({ name: textField, grams: numberField({ min: 0 }), add: textField, attribute: textField, stage: textField }).map(withoutMissing) },
  { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) },
);
const beer = fc
  .record({
    ...Object.fromEntries(baseFeatureColumns.map((c) => [c.name, numberField('range' in c ? c.range : undefined)])),
    volume_litres: numberField({ min: 0 }),
    // The client's beer id: whole numbers in range, and fractions, zero, negatives and past the int column.
    id: fc.oneof(
      { weight: 20, arbitrary: fc.constant(missing) },
      { weight: 20, arbitrary: fc.integer({ min: 1, max: 2_147_483_647 }) },
      { weight: 2, arbitrary: fc.constantFrom(0, -1, 1.5, 2_147_483_648, 1e300, Number.NaN, null, '7') },
    ),
    hops: fc.oneof(
      { weight: 8, arbitrary: fc.array(hop, { maxLength: 3 }) },
      // Bills at and just past the cap on additions.
      { weight: 2, arbitrary: fc.integer({ min: maxHopsPerBeer - 1, max: maxHopsPerBeer + 1 }).chain((n) => fc.array(hop, { minLength: n, maxLength: n })) }, { weight: 1, arbitrary: fc.constantFrom(null, missing) }, { weight: 1, arbitrary: fc.anything({ maxDepth: 1 }) }),
    colour: fc.oneof(fc.string(), fc.constant(missing)),
  })
  .map(withoutMissing);
const body = fc.oneof(
  { weight: 4, arbitrary: beer },
  { weight: 4, arbitrary: fc.array(beer, { maxLength: maxBatchSize + 2 }) },
  { weight: 1, arbitrary: fc.anything() },
);

describe('the fast check of /predict bodies', () => {
  it('agrees with the zod schema on every input', () => {
    fc.assert(
      fc.property(body, (value) => {
        expect(schemas.accepts(value)).toBe(schemas.body.safeParse(value).success);
      }),
      { numRuns: 5000 },
    );
  });

  it('refuses every hop text holding a lone surrogate, and only those, naming the field', () => {
    fc.assert(
      fc.property(hostileText, fc.constantFrom('name', 'add', 'attribute'), (text, field) => {
        const body = { ...exampleBeer, hops: [{ name: 'Simcoe' }, { [field]: text }] };
        const parsed = schemas.body.safeParse(body);
        expect(schemas.accepts(body)).toBe(!hasLoneSurrogate(text));
        expect(parsed.success).toBe(!hasLoneSurrogate(text));
        if (!parsed.success) expect(parsed.error.issues.map((i) => i.path.join('.'))).toContain(`hops.1.${field}`);
      }),
      { numRuns: 1000 },
    );
  });

  it('accepts valid bodies often enough for the agreement to mean something', () => {
    const samples = fc.sample(body, { numRuns: 2000, seed: 7 });
    const accepted = samples.filter((v) => schemas.accepts(v)).length;
    expect(accepted).toBeGreaterThan(200);
    expect(accepted).toBeLessThan(1800);
  });

  it('bounds a beer: at most maxHopsPerBeer additions, hop texts of at most maxHopTextLength', () => {
    const emptyHops = (n: number) => ({ ...exampleBeer, hops: Array.from({ length: n }, () => ({})) });
    expect(isBeerInput(emptyHops(maxHopsPerBeer))).toBe(true);
    expect(isBeerInput(emptyHops(maxHopsPerBeer + 1))).toBe(false);
    // The issue's body: 1 MiB of empty hops.
    expect(isBeerInput(emptyHops(340_000))).toBe(false);
    const refused = schemas.single.safeParse(emptyHops(maxHopsPerBeer + 1));
    expect(refused.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['hops', `more than ${maxHopsPerBeer} hop additions (the catalogue's largest bill has 18)`]]);
    for (const field of ['name', 'add', 'attribute']) {
      expect(isBeerInput({ ...exampleBeer, hops: [{ [field]: 'x'.repeat(maxHopTextLength) }] })).toBe(true);
      expect(isBeerInput({ ...exampleBeer, hops: [{ [field]: 'x'.repeat(maxHopTextLength + 1) }] })).toBe(false);
    }
  });

  it('the caps cover the real catalogue with room to spare', () => {
    const beers = createRequire(import.meta.url)('punkapi-db/data.json') as { ingredients: { hops: { name: string; add: string; attribute: string }[] } }[];
    const bills = beers.map((b) => b.ingredients.hops);
    expect(Math.max(...bills.map((h) => h.length)) * 3).toBeLessThanOrEqual(maxHopsPerBeer);
    expect(Math.max(...bills.flat().flatMap((h) => [h.name, h.add, h.attribute].map((t) => t.length))) * 1.9).toBeLessThanOrEqual(maxHopTextLength);
  });

  it('takes the example beer, a list of it, and refuses the edges of the list', () => {
    expect(isBeerInput(exampleBeer)).toBe(true);
    expect(schemas.accepts([exampleBeer, exampleBeer])).toBe(true);
    expect(schemas.accepts([])).toBe(false);
    expect(schemas.accepts(Array.from({ length: maxBatchSize + 1 }, () => exampleBeer))).toBe(false);
    expect(isBeerInput({ ...exampleBeer, ph: 14.5 })).toBe(false);
    expect(isBeerInput({ ...exampleBeer, hops: [{ grams: -1 }] })).toBe(false);
  });
});

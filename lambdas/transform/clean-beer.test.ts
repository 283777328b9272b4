import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { compileRecordValidator } from '../../glue/json-validator';
import { cleanedBeerColumns, cleanedBeerTable, columnNames, rawBeerColumns, type Column } from '../../glue/schema';
import { cleanBeer } from './clean-beer';

type Beer = Record<string, unknown>;
const catalogue = createRequire(import.meta.url)('punkapi-db/data.json') as Beer[];
const beer = (id: number) => structuredClone(catalogue.find((b) => b.id === id)!);
const arrivedAt = new Date(Date.UTC(2025, 5, 1, 12, 30, 5, 42));
const matchesSchema = compileRecordValidator(cleanedBeerColumns, { allowMissing: false });

function clean(raw: unknown) {
  const result = cleanBeer(raw, arrivedAt);
  if (!result.ok) throw new Error(result.error.message);
  return result.beer;
}

describe('cleanBeer', () => {
  it('cleans every catalogue beer into exactly the cleaned columns, in declaration order, of the declared types', () => {
    for (const raw of catalogue) {
      const row = clean(raw);
      expect(Object.keys(row)).toEqual(columnNames(cleanedBeerTable));
      expect(matchesSchema(JSON.parse(JSON.stringify(row))), `beer ${raw.id}`).toBeUndefined();
    }
  });

  it('copies the columns the raw record shares with the cleaned table as they are', () => {
    const rawNames = new Set<string>(rawBeerColumns.map((c) => c.name));
    const shared = columnNames(cleanedBeerTable).filter((n) => rawNames.has(n));
    expect(shared).toEqual(expect.arrayContaining(['id', 'name', 'abv', 'ibu', 'ph']));
    const raw = beer(29);
    const row = clean(raw) as Record<string, unknown>;
    for (const name of shared) expect(row[name]).toEqual(raw[name]);
  });

  it('flags only one catalogue beer, the ph of 79, which becomes null', () => {
    const flagged = catalogue.map(clean).filter((row) => row.dq_flags.length > 0);
    expect(flagged.map((row) => [row.id, row.dq_flags])).toEqual([[317, ['ph_out_of_range']]]);
    expect(beer(317).ph).toBe(79);
    expect(flagged[0]).toMatchObject({ ph: null, abv: beer(317).abv, ibu: beer(317).ibu });
  });

  it.each([
    [185, 1157],
    [137, 1085],
  ])('keeps the true outlier: beer %i, ibu %i', (id, ibu) => {
    expect(clean(beer(id))).toMatchObject({ id, ibu, dq_flags: [] });
  });

  it('nulls and flags any value outside its column range, for every ranged column', () => {
    const ranged = (cleanedBeerColumns as readonly Column[]).filter((c) => c.range && rawBeerColumns.some((r) => r.name === c.name));
    expect(ranged.length).toBeGreaterThan(5);
    for (const column of ranged) {
      for (const outside of [column.range!.min! - 1, column.range!.max! + 1].filter(Number.isFinite)) {
        const row = clean({ ...beer(29), [column.name]: outside }) as Record<string, unknown>;
        expect(row[column.name], `${column.name} = ${outside}`).toBeNull();
        expect(row.dq_flags).toEqual([`${column.name}_out_of_range`]);
      }
      const edge = column.range!.max ?? column.range!.min!;
      expect((clean({ ...beer(29), [column.name]: edge }) as Record<string, unknown>)[column.name]).toBe(edge);
    }
  });

  it.each([
    ['04/2013', 2013, 4, []],
    ['2011', 2011, null, []],
    [' 9/2009 ', 2009, 9, []],
    ['13/2010', 2010, null, ['first_brewed_month_out_of_range']],
    ['1650', null, null, ['first_brewed_year_out_of_range']],
    ['spring 2010', null, null, ['first_brewed_unreadable']],
    [null, null, null, []],
  ])('first brewed %j: year %j, month %j, flags %j', (first_brewed, year, month, flags) => {
    expect(clean({ ...beer(29), first_brewed })).toMatchObject({ first_brewed, first_brewed_year: year, first_brewed_month: month, dq_flags: flags });
  });

  it('takes volumes in litres; another unit becomes null and flagged', () => {
    expect(clean(beer(29))).toMatchObject({ volume_litres: 20, boil_volume_litres: 25 });
    const row = clean({ ...beer(29), volume: { value: 5, unit: 'gallons' }, boil_volume: { value: 30, unit: 'Litres' } });
    expect(row).toMatchObject({ volume_litres: null, boil_volume_litres: 30, dq_flags: ['volume_litres_unit_not_litres'] });
    expect(clean({ ...beer(29), volume: null, boil_volume: { value: null, unit: 'litres' } })).toMatchObject({ volume_litres: null, boil_volume_litres: null, dq_flags: [] });
  });

  it('normalises the hop bill', () => {
    expect(clean(beer(29)).hops.slice(0, 2)).toEqual([
      { name: 'Chinook', grams: 20, add: 'start', stage: 'start', attribute: 'bitter' },
      { name: 'Chinook', grams: 5, add: 'middle', stage: 'middle', attribute: 'bitter' },
    ]);
    expect(clean({ id: 1, name: 'No hops' }).hops).toEqual([]);
  });

  it('cleans the v2 and the v3 shape of a beer into the same row', () => {
    const v2 = beer(1);
    const { image_url: _, ...rest } = v2;
    const v3 = { ...rest, image: '001.png' };
    expect(clean(v3)).toEqual(clean(v2));
  });

  it('writes arrived_at as UTC lake timestamp text', () => {
    expect(clean(beer(1)).arrived_at).toBe('2025-06-01 12:30:05.042');
  });

  it('rejects what is not a beer, naming the field', () => {
    expect(cleanBeer({ ...beer(1), abv: '4.7' }, arrivedAt)).toEqual({
      ok: false,
      error: { name: 'NotABeer', field: 'abv', message: 'abv: expected a finite number, got string "4.7"' },
    });
  });
});

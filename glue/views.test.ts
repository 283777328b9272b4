import { describe, expect, it } from 'vitest';
import { beersView, cleanedBeerTable, columnNames } from './schema';
import { beersViewSql, createViewSql, latestRecordViewBodySql, quoteIdentifier } from './views';

describe('the beers view SQL', () => {
  it('selects the cleaned columns explicitly, in declaration order, the latest arrival within each id', () => {
    const select = beersViewSql.split('\n')[0];
    expect(select).toBe(`select ${columnNames(cleanedBeerTable).map((c) => `"${c}"`).join(', ')}`);
    // Each id's latest time (two columns read), joined back to its records, one kept per id.
    expect(beersViewSql).toContain('join (select "id", max("arrived_at") as "latest" from "cleaned" group by "id") as "newest"');
    expect(beersViewSql).toContain('on "record"."id" = "newest"."id" and "record"."arrived_at" = "newest"."latest"');
    expect(beersViewSql).toContain('row_number() over (partition by "record"."id" order by "record"."arrived_at" desc)');
    expect(beersViewSql).toMatch(/where "arrival_rank" = 1$/);
    expect(beersViewSql).not.toContain('*');
  });

  it('creates or replaces the view under its name', () => {
    expect(createViewSql(beersView)).toBe(`create or replace view "beers" as\n${beersViewSql}`);
  });

  it('refuses a view whose key is not a column of its source', () => {
    expect(() => latestRecordViewBodySql({ ...beersView, key: 'beer_id' })).toThrow(/beer_id is not in table cleaned/);
  });

  it('quotes identifiers the way DuckDB and Trino both read them', () => {
    expect(quoteIdentifier('we"ird')).toBe('"we""ird"');
  });
});

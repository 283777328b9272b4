import { describe, expect, it } from 'vitest';
import { duckDbType, glueType } from './column-types';
import {
  baseFeatureNames,
  beersView,
  cleanedBeerColumns,
  cleanedBeerTable,
  columnNames,
  lakeTables,
  predictionLogTable,
  type Column,
  type ColumnType,
} from './schema';

const allTypes = (type: ColumnType): ColumnType[] =>
  typeof type === 'string' ? [type] : type.kind === 'array' ? [type, ...allTypes(type.of)] : [type, ...type.fields.flatMap((f) => allTypes(f.type))];

describe('the lake schema', () => {
  it.each(lakeTables.map((t) => [t.name, t] as const))('%s: column names are unique snake_case, each commented', (_, table) => {
    const names = columnNames(table);
    expect(new Set(names).size).toBe(names.length);
    for (const c of table.columns as readonly Column[]) {
      expect(c.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(c.comment.length).toBeGreaterThan(0);
    }
  });

  it('table prefixes are distinct top-level folders', () => {
    const prefixes = lakeTables.map((t) => t.prefix);
    expect(new Set(prefixes).size).toBe(prefixes.length);
    for (const p of prefixes) expect(p).toMatch(/^[a-z_]+\/$/);
  });

  it('the cleaned table keeps what the issue names, plus the hop bill, volume and arrival time', () => {
    expect(columnNames(cleanedBeerTable)).toEqual(
      expect.arrayContaining(['id', 'name', 'abv', 'ibu', 'target_fg', 'target_og', 'ebc', 'srm', 'ph', 'hops', 'volume_litres', 'arrived_at']),
    );
  });

  it('the base features are the six of the evaluation README, in declaration order', () => {
    expect(baseFeatureNames).toEqual(['abv', 'target_fg', 'target_og', 'ebc', 'srm', 'ph']);
  });

  it('ranges are well formed, and the known outliers fall on the right side of them', () => {
    const range = (name: string) => (cleanedBeerColumns as readonly Column[]).find((c) => c.name === name)!.range!;
    for (const c of cleanedBeerColumns as readonly Column[]) {
      if (c.range?.min !== undefined && c.range.max !== undefined) expect(c.range.min).toBeLessThan(c.range.max);
    }
    expect(79).toBeGreaterThan(range('ph').max!); // a data-entry error: cleaned to null
    expect(range('ibu').max).toBeUndefined(); // 1157 is a real (if extreme) measurement: kept
  });

  it('the prediction log holds the model inputs with the cleaned table types', () => {
    const cleaned = new Map((cleanedBeerColumns as readonly Column[]).map((c) => [c.name, c.type]));
    for (const name of [...baseFeatureNames, 'hops', 'volume_litres']) {
      const logged = (predictionLogTable.columns as readonly Column[]).find((c) => c.name === name);
      expect(logged?.type, name).toEqual(cleaned.get(name));
    }
  });

  it('the beers view de-duplicates the cleaned table on a real column, by a timestamp column', () => {
    const byName = new Map((beersView.source.columns as readonly Column[]).map((c) => [c.name, c]));
    expect(byName.get(beersView.key)?.nullable).toBe(false);
    expect(byName.get(beersView.latestBy)?.type).toBe('timestamp');
  });
});

describe('column type spellings', () => {
  const hops = (cleanedBeerColumns as readonly Column[]).find((c) => c.name === 'hops')!.type;

  it('Glue spells nested types the Hive way', () => {
    expect(glueType(hops)).toBe('array<struct<name:string,grams:double,add:string,stage:string,attribute:string>>');
    expect(glueType('timestamp')).toBe('timestamp');
  });

  it('DuckDB spells them its way', () => {
    expect(duckDbType(hops)).toBe('STRUCT("name" VARCHAR, "grams" DOUBLE, "add" VARCHAR, "stage" VARCHAR, "attribute" VARCHAR)[]');
    expect(duckDbType('int')).toBe('INTEGER');
  });

  it('every type used in any table has a spelling in both engines', () => {
    for (const table of lakeTables) {
      for (const c of table.columns as readonly Column[]) {
        for (const t of allTypes(c.type)) {
          expect(glueType(t)).not.toMatch(/undefined/);
          expect(duckDbType(t)).not.toMatch(/undefined/);
        }
      }
    }
  });
});

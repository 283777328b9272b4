import fc from 'fast-check';
import { expect, it } from 'vitest';
import { pickTable, UnknownTable, type TableDescription } from './table-descriptions';
import { beersView, lakeTables } from './schema';

const tables: TableDescription[] = [...lakeTables, beersView].map((t) => ({ name: t.name, kind: 'table', description: t.description, columns: [] }));

/** `name` with each letter's case chosen by `upper`. */
const recased = (name: string, upper: readonly boolean[]) => [...name].map((ch, i) => (upper[i % upper.length] ? ch.toUpperCase() : ch.toLowerCase())).join('');

it('finds every table by its name in any case, as DuckDB and Glue do', () => {
  fc.assert(
    fc.property(fc.constantFrom(...tables), fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }), (table, upper) => {
      expect(pickTable(tables, recased(table.name, upper))).toBe(table);
    }),
  );
});

it('an unknown name is an UnknownTable naming it and the tables there are', () => {
  expect(() => pickTable(tables, 'BEER')).toThrow(UnknownTable);
  expect(() => pickTable(tables, 'BEER')).toThrow('no table or view named BEER: the lake has raw, cleaned, predictions, prediction_log, beers');
});

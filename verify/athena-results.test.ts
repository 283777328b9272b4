import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { athenaValue } from '../glue/athena-values';
import type { JsonValue, QueryResult } from '../glue/query-engine';
import { trainingRowOf } from '../model/training-data';
import { athenaQueryResults, athenaText, athenaType } from './athena-results';

// The training-set query's columns, as DuckDB types them.
const columns = [
  { name: 'id', type: 'INTEGER' },
  { name: 'name', type: 'VARCHAR' },
  ...['ibu', 'abv', 'target_fg', 'target_og', 'ebc', 'srm', 'ph', 'volume_litres'].map((name) => ({ name, type: 'DOUBLE' })),
  { name: 'hops', type: 'STRUCT("name" VARCHAR, "grams" DOUBLE, "add" VARCHAR, "stage" VARCHAR, "attribute" VARCHAR)[]' },
];

/** What glue/athena.ts does with a page: each Datum through athenaValue by its column's type, the header row dropped. */
function readAsAthena(result: QueryResult): Record<string, JsonValue>[] {
  const answer = athenaQueryResults(result);
  return answer.rows.slice(1).map((row) => Object.fromEntries(answer.column_info.map((c, i) => [c.Name, athenaValue(row.Data[i]?.VarCharValue, c.Type)])));
}

const word = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 .'-]{0,15}[A-Za-z0-9]$/);
const measure = fc.option(fc.double({ min: -1e9, max: 1e9, noNaN: true, noDefaultInfinity: true }).map((x) => (Object.is(x, -0) ? 0 : x)), { nil: null });
const hop = fc.record({ name: fc.option(word, { nil: null }), grams: measure, add: fc.option(word, { nil: null }), stage: fc.option(word, { nil: null }), attribute: fc.option(word, { nil: null }) });
const row = fc.record({
  id: fc.integer({ min: 1, max: 100_000 }),
  name: word,
  ibu: fc.double({ min: 0, max: 2000, noNaN: true }),
  abv: measure,
  target_fg: measure,
  target_og: measure,
  ebc: measure,
  srm: measure,
  ph: measure,
  volume_litres: measure,
  hops: fc.option(fc.array(hop, { maxLength: 6 }), { nil: null }),
});

describe("Athena's GetQueryResults form of a DuckDB result", () => {
  it('reads back, through the Athena engine\'s own reader, as the same training rows DuckDB gives', () => {
    fc.assert(
      fc.property(fc.array(row, { maxLength: 20 }), (rows) => {
        const result: QueryResult = { columns, rows: rows as unknown as Record<string, JsonValue>[] };
        expect(readAsAthena(result).map(trainingRowOf)).toEqual(rows.map((r) => trainingRowOf(r)));
      }),
    );
  });

  it("spells values as Trino does: doubles with a decimal, nested rows as {k=v}, NULL as no value", () => {
    expect(athenaText(60, 'double')).toBe('60.0');
    expect(athenaText(1e-7, 'double')).toBe('1.0E-7');
    expect(athenaText(7, 'integer')).toBe('7');
    expect(athenaText(null, 'double')).toBeUndefined();
    expect(athenaText([{ name: 'Fuggles', grams: 25, add: 'start', stage: null }], 'array')).toBe('[{name=Fuggles, grams=25.0, add=start, stage=null}]');
    expect(athenaType('STRUCT(a INTEGER)[]')).toBe('array');
    expect(athenaType('TIMESTAMP WITH TIME ZONE')).toBe('timestamp');
    const header = athenaQueryResults({ columns, rows: [] }).rows[0]!.Data.map((d) => d.VarCharValue);
    expect(header).toEqual(columns.map((c) => c.name));
  });
});

/**
 * moto runs no SQL: its Athena answers GetQueryResults from results queued through its own
 * API (POST /moto-api/static/athena/query-results). This writes a query's DuckDB result, on
 * the same lake, the way Athena's GetQueryResults returns it (every value as text in Trino's
 * spelling, a header row first, the column types in ColumnInfo), so `train --engine athena`
 * reads what Athena would have answered and its reader is checked against DuckDB's.
 */
import type { JsonValue, QueryResult } from '../glue/query-engine';

export interface AthenaDatum {
  readonly VarCharValue?: string;
}
export interface AthenaQueryResults {
  readonly rows: { readonly Data: AthenaDatum[] }[];
  readonly column_info: { readonly Name: string; readonly Label: string; readonly Type: string; readonly Nullable: string }[];
}

/** A DuckDB column type in Athena's (Trino's) ColumnInfo spelling. */
export function athenaType(duckdbType: string): string {
  const t = duckdbType.trim().toUpperCase();
  if (t.endsWith('[]') || t.startsWith('LIST')) return 'array';
  if (t.startsWith('STRUCT')) return 'row';
  if (t.startsWith('MAP')) return 'map';
  const simple: Record<string, string> = { INTEGER: 'integer', BIGINT: 'bigint', SMALLINT: 'smallint', TINYINT: 'tinyint', DOUBLE: 'double', FLOAT: 'real', VARCHAR: 'varchar', BOOLEAN: 'boolean', DATE: 'date' };
  if (t.startsWith('TIMESTAMP')) return 'timestamp';
  if (t.startsWith('DECIMAL')) return 'decimal';
  return simple[t] ?? t.toLowerCase();
}

/** Trino prints a double with at least one decimal (`60.0`) and Java's exponent form for the very large or small. */
function doubleText(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(n) && Math.abs(n) < 1e7) return `${n}.0`;
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) return String(n);
  const [mantissa, exponent] = n.toExponential().split('e');
  return `${mantissa!.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/** A value inside an array or row: Trino's `[a, b]` and `{key=value, …}` text, nulls as `null`. */
function nestedText(value: JsonValue): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(nestedText).join(', ')}]`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${k}=${nestedText(v)}`).join(', ')}}`;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : doubleText(value);
  return String(value);
}

/** One value as Athena's VarCharValue; undefined for NULL (a Datum without VarCharValue). */
export function athenaText(value: JsonValue, athenaColumnType: string): string | undefined {
  if (value === null) return undefined;
  if (typeof value === 'number') return ['double', 'real', 'decimal'].includes(athenaColumnType) ? doubleText(value) : String(value);
  if (typeof value === 'object') {
    // Trino writes nested doubles as doubles too (`grams=25.0`).
    const doubles = (v: JsonValue): JsonValue =>
      Array.isArray(v) ? v.map(doubles) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === 'number' ? doubleText(x) : doubles(x)])) : v;
    return nestedText(doubles(value));
  }
  return String(value);
}

export function athenaQueryResults(result: QueryResult): AthenaQueryResults {
  const types = result.columns.map((c) => athenaType(c.type));
  return {
    column_info: result.columns.map((c, i) => ({ Name: c.name, Label: c.name, Type: types[i]!, Nullable: 'UNKNOWN' })),
    // A SELECT's first row is its header, as in Athena.
    rows: [
      { Data: result.columns.map((c) => ({ VarCharValue: c.name })) },
      ...result.rows.map((row) => ({
        Data: result.columns.map((c, i) => {
          const text = athenaText(row[c.name] ?? null, types[i]!);
          return text === undefined ? {} : { VarCharValue: text };
        }),
      })),
    ],
  };
}

/**
 * Athena returns every value as text (`VarCharValue`) beside the column's Trino type name
 * (`ColumnInfo.Type`); this turns the text into the values `QueryResult` promises, so a row
 * from Athena equals the same row from DuckDB.
 */
import { bigintValue, type JsonValue } from './query-engine';

const integerTypes = new Set(['tinyint', 'smallint', 'integer', 'int']);
const floatTypes = new Set(['double', 'float', 'real', 'decimal']);
const timestampText = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.(\d+))?$/;

/** One Athena datum as a typed value; `undefined` text (a Datum with no VarCharValue) is NULL. */
export function athenaValue(text: string | undefined, type: string): JsonValue {
  if (text === undefined) return null;
  const base = type.toLowerCase().replace(/\(.*$/, '').trim();
  if (integerTypes.has(base)) return Number(text);
  if (base === 'bigint') return /^-?\d+$/.test(text) ? bigintValue(BigInt(text)) : text;
  if (floatTypes.has(base)) {
    const n = Number(text);
    // NaN and ±Infinity have no JSON number: keep the engine's spelling, as DuckDB's does.
    return Number.isFinite(n) ? n : text;
  }
  if (base === 'boolean') return text === 'true';
  if (base === 'timestamp') {
    const match = timestampText.exec(text);
    return match ? `${match[1]}.${(match[2] ?? '').padEnd(3, '0').slice(0, 3)}` : text;
  }
  if (base === 'json') {
    try {
      return JSON.parse(text) as JsonValue;
    } catch {
      return text;
    }
  }
  // varchar, char, date, time, varbinary; and array, row and map, whose text Athena writes
  // without quoting (`[a, b]`, `{name=x}`) and so cannot be parsed back reliably.
  return text;
}

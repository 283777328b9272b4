/**
 * How a declared column type is spelled in each engine. The declarations live in
 * schema.ts; these are the only places that know Glue's and DuckDB's spellings.
 */
import type { ColumnType } from './schema';

/** Glue / Hive / Athena DDL type, e.g. `array<struct<name:string,grams:double>>`. */
export function glueType(type: ColumnType): string {
  if (typeof type === 'string') return type;
  if (type.kind === 'array') return `array<${glueType(type.of)}>`;
  return `struct<${type.fields.map((f) => `${f.name}:${glueType(f.type)}`).join(',')}>`;
}

const duckScalar = {
  int: 'INTEGER',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  string: 'VARCHAR',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
} as const;

/** DuckDB type, e.g. `STRUCT("name" VARCHAR, "grams" DOUBLE)[]`. */
export function duckDbType(type: ColumnType): string {
  if (typeof type === 'string') return duckScalar[type];
  if (type.kind === 'array') return `${duckDbType(type.of)}[]`;
  return `STRUCT(${type.fields.map((f) => `"${f.name}" ${duckDbType(f.type)}`).join(', ')})`;
}

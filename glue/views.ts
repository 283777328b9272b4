/**
 * The lake's views as SQL that both engines accept: DuckDB creates them locally
 * (glue/duckdb) and the stacks create the same ones in Glue/Athena (Trino). Identifiers are
 * double-quoted, which both read the same way; nothing engine-specific is used.
 */
import { duckDbType } from './column-types';
import type { TableFiles } from './lake-files';
import { beersView, type TableDefinition } from './schema';

/** A view keeping the latest record per key of its source table. */
export interface LatestRecordView {
  readonly name: string;
  readonly description: string;
  readonly source: TableDefinition;
  /** The column a record is identified by. */
  readonly key: string;
  /** The column whose greatest value marks the latest record. */
  readonly latestBy: string;
}

export const quoteIdentifier = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * The body (a SELECT) of a latest-record view: the source's columns in declaration order,
 * ranked newest first within each key, rank 1 kept. Duplicates from at-least-once delivery
 * carry the same arrival time and the same content, so which of them survives is immaterial.
 */
export function latestRecordViewBodySql(view: LatestRecordView): string {
  const names = view.source.columns.map((c) => c.name);
  for (const required of [view.key, view.latestBy]) {
    if (!names.includes(required)) throw new Error(`view ${view.name}: column ${required} is not in table ${view.source.name}`);
  }
  const columns = names.map(quoteIdentifier).join(', ');
  return [
    `select ${columns}`,
    'from (',
    `  select ${columns},`,
    `    row_number() over (partition by ${quoteIdentifier(view.key)} order by ${quoteIdentifier(view.latestBy)} desc) as "arrival_rank"`,
    `  from ${quoteIdentifier(view.source.name)}`,
    ') as "ranked"',
    'where "arrival_rank" = 1',
  ].join('\n');
}

/** `create or replace view …`: valid in DuckDB and in Athena (which stores it in Glue). */
export function createViewSql(view: LatestRecordView): string {
  return `create or replace view ${quoteIdentifier(view.name)} as\n${latestRecordViewBodySql(view)}`;
}

/** The body of the de-duplicated `beers` view. */
export const beersViewSql = latestRecordViewBodySql(beersView);

// ---- DuckDB: a table's files as a relation (JSON lines and Parquet hours alike) ---------

/** How the lake writes every `timestamp` column in JSON lines: UTC `YYYY-MM-DD HH:MM:SS.sss`. */
export const lakeTimestampFormat = '%Y-%m-%d %H:%M:%S.%g';

export const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * The SELECT (DuckDB) a table reads its files with: the schema's columns, in order, with the
 * schema's types, from JSON-lines files and Parquet files alike (one branch each, joined by
 * `union all`; no files: an empty relation with the same columns). Parquet columns are read
 * by name and NOT cast: the files are written from the same schema (Firehose through the
 * Glue table, brewlake through glue/parquet-files), and a cast of a nested column keeps
 * DuckDB from answering `count(*)` from the files' footers (measured: 5x slower).
 */
export function tableFilesSelectSql(table: TableDefinition, files: TableFiles): string {
  const names = table.columns.map((c) => quoteIdentifier(c.name));
  const branches: string[] = [];
  if (files.json.length > 0) {
    const columns = table.columns.map((c) => `${quoteIdentifier(c.name)}: ${sqlString(duckDbType(c.type))}`);
    branches.push(
      [
        `select ${names.join(', ')}`,
        'from read_json(',
        `  [${files.json.map(sqlString).join(', ')}],`,
        `  format = 'newline_delimited', columns = {${columns.join(', ')}},`,
        `  timestampformat = ${sqlString(lakeTimestampFormat)}, hive_partitioning = false`,
        ')',
      ].join('\n'),
    );
  }
  if (files.parquet.length > 0) {
    branches.push([`select ${names.join(', ')}`, `from read_parquet([${files.parquet.map(sqlString).join(', ')}], hive_partitioning = false)`].join('\n'));
  }
  if (branches.length === 0) {
    const nulls = table.columns.map((c) => `cast(null as ${duckDbType(c.type)}) as ${quoteIdentifier(c.name)}`);
    return `select ${nulls.join(', ')} limit 0`;
  }
  return branches.join('\nunion all\n');
}

/**
 * The lake's views as SQL that both engines accept: DuckDB creates them locally
 * (glue/duckdb) and the stacks create the same ones in Glue/Athena (Trino). Identifiers are
 * double-quoted, which both read the same way; nothing engine-specific is used.
 */
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

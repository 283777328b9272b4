/**
 * A table's rows of a time window as a relation that reads only the window's hour folders
 * (glue/layout's `hourFoldersInWindow`): locally the DuckDB reader over just those folders'
 * files, in AWS the Glue table restricted to those `dt` partitions (which Athena prunes by
 * projection). Every reader with a window (`drift --window`, the monitor) goes through it,
 * so its cost follows the window, not the age of the lake.
 *
 * The relation holds every row of the window's hours (of the whole day, for a day that
 * compaction made one file); the caller still filters on its own time column for the exact
 * bounds, which DuckDB checks against each row group's min/max before reading it.
 */
import { listTableFiles } from './lake-files';
import { hourFoldersInWindow, type TimeWindow } from './layout';
import type { QueryEngine } from './query-engine';
import type { TableDefinition } from './schema';
import { quoteIdentifier, sqlString, tableFilesSelectSql } from './views';

/** The Glue tables' partition column: the hour folder, `yyyy/MM/dd/HH` (stacks/glue-tables). */
export const hourPartitionColumn = 'dt';

/** A parenthesised relation (usable after `from`) of `table`'s rows in the hours of `window`. */
export async function tableWindowSql(engine: QueryEngine & { readonly lakeDir?: string }, table: TableDefinition, window: TimeWindow): Promise<string> {
  const folders = hourFoldersInWindow(window);
  if (engine.kind === 'duckdb') {
    if (engine.lakeDir === undefined) throw new Error('tableWindowSql: a DuckDB engine without a lake folder');
    return `(\n${tableFilesSelectSql(table, await listTableFiles(engine.lakeDir, table, folders))}\n)`;
  }
  const partitions = folders.map((f) => sqlString(f.slice(0, -1)));
  return `(select * from ${quoteIdentifier(table.name)} where ${quoteIdentifier(hourPartitionColumn)} in (${partitions.join(', ')}))`;
}

/**
 * The lake's DuckDB catalog file, `<lake>/brewlake.duckdb`: the same views the in-process
 * engine builds (glue/duckdb), stored in a database file so the `duckdb` CLI, dbt-duckdb or
 * a notebook can open the lake, with every column's description from glue/schema as a
 * DuckDB comment (`COMMENT ON`), as the Glue tables carry them in AWS.
 *
 * The views list the files present when the catalog was built (see glue/duckdb for why a
 * view lists files instead of holding a glob), by paths RELATIVE to the lake's parent folder
 * (`lake/cleaned/2024/…`): DuckDB resolves a relative path against its working directory, so
 * the catalog answers from the lake's parent (`duckdb lake/brewlake.duckdb`), survives the
 * checkout being moved, and needs only `SET file_search_path` elsewhere. Every command that
 * changes the lake rebuilds it.
 *
 * A reader never sees a half-written catalog: it is built under a dot-name beside the
 * target and renamed over it (a rename within a folder is atomic).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { catalogFileName, catalogFilePath } from './lake-folder';
import { listTableFiles, type TableFiles } from './lake-files';
import { beersView, lakeTables, type TableDefinition } from './schema';
import type { TableDescription } from './table-descriptions';
import { createViewSql, quoteIdentifier, sqlString, tableFilesSelectSql } from './views';

/** Every statement that creates the catalog's views and their comments, given each table's relative files. */
export function catalogStatements(filesByTable: ReadonlyMap<string, TableFiles>, tables: readonly TableDefinition[] = lakeTables): string[] {
  const statements: string[] = [];
  const describe = (name: string, description: string, columns: TableDefinition['columns']) => {
    statements.push(`comment on view ${quoteIdentifier(name)} is ${sqlString(description)}`);
    for (const c of columns) statements.push(`comment on column ${quoteIdentifier(name)}.${quoteIdentifier(c.name)} is ${sqlString(c.comment)}`);
  };
  for (const table of tables) {
    statements.push(`create or replace view ${quoteIdentifier(table.name)} as\n${tableFilesSelectSql(table, filesByTable.get(table.name) ?? { json: [], parquet: [] })}`);
    describe(table.name, table.description, table.columns);
  }
  statements.push(createViewSql(beersView));
  describe(beersView.name, beersView.description, beersView.source.columns);
  return statements;
}

/**
 * (Re)builds `<lakeDir>/brewlake.duckdb` from the files the lake holds now, and returns its
 * path. The lake folder must exist. Safe to run while readers have the old catalog open.
 */
export async function buildLakeCatalog(lakeDir: string): Promise<string> {
  const root = resolve(lakeDir);
  const parent = dirname(root);
  const target = join(root, catalogFileName);
  const toRelative = (file: string) => [basename(root), ...relative(root, file).split(sep)].join('/');
  const filesByTable = new Map<string, TableFiles>();
  for (const table of lakeTables) {
    const files = await listTableFiles(root, table);
    filesByTable.set(table.name, { json: files.json.map(toRelative), parquet: files.parquet.map(toRelative) });
  }

  const staging = join(root, `.${catalogFileName}.${randomUUID()}.tmp`);
  try {
    const instance = await DuckDBInstance.create(staging);
    try {
      const connection = await instance.connect();
      try {
        // Creating a view binds it, which opens its files: resolve them as a reader standing in the lake's parent will.
        await connection.run(`set file_search_path = ${sqlString(parent)}`);
        for (const statement of catalogStatements(filesByTable)) await connection.run(statement);
        await connection.run('checkpoint');
      } finally {
        connection.closeSync();
      }
    } finally {
      instance.closeSync();
    }
    await rename(staging, target);
  } finally {
    await rm(staging, { force: true });
    await rm(`${staging}.wal`, { force: true });
  }
  return target;
}

/**
 * The tables and views the lake's catalog file declares, with their comments, read the way
 * any DuckDB tool reads them (`duckdb_views()`, `duckdb_columns()`). Builds the catalog first
 * when the lake has none yet.
 */
export async function describeLakeTables(lakeDir: string): Promise<TableDescription[]> {
  const path = existsSync(catalogFilePath(lakeDir)) ? catalogFilePath(lakeDir) : await buildLakeCatalog(lakeDir);
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  try {
    const connection = await instance.connect();
    try {
      const views = (await connection.runAndReadAll('select view_name, comment from duckdb_views() where not internal')).getRowObjectsJson();
      const columns = (
        await connection.runAndReadAll('select table_name, column_name, data_type, comment from duckdb_columns() where not internal order by table_name, column_index')
      ).getRowObjectsJson();
      const order: string[] = [...lakeTables.map((t) => t.name), beersView.name];
      return views
        .map((v) => ({
          name: String(v.view_name),
          kind: lakeTables.some((t) => t.name === v.view_name) ? ('table' as const) : ('view' as const),
          description: String(v.comment ?? ''),
          columns: columns
            .filter((c) => c.table_name === v.view_name)
            .map((c) => ({ name: String(c.column_name), type: String(c.data_type), description: String(c.comment ?? '') })),
        }))
        .sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

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
import { rename, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { tableViewBodySql } from './duckdb';
import { catalogFileName } from './lake-folder';
import { listTableFiles } from './lake-files';
import { beersView, lakeTables, type TableDefinition } from './schema';
import { createViewSql, quoteIdentifier } from './views';

const sqlString = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Every statement that creates the catalog's views and their comments, given each table's relative files. */
export function catalogStatements(filesByTable: ReadonlyMap<string, readonly string[]>, tables: readonly TableDefinition[] = lakeTables): string[] {
  const statements: string[] = [];
  const describe = (name: string, description: string, columns: TableDefinition['columns']) => {
    statements.push(`comment on view ${quoteIdentifier(name)} is ${sqlString(description)}`);
    for (const c of columns) statements.push(`comment on column ${quoteIdentifier(name)}.${quoteIdentifier(c.name)} is ${sqlString(c.comment)}`);
  };
  for (const table of tables) {
    statements.push(`create or replace view ${quoteIdentifier(table.name)} as\n${tableViewBodySql(table, filesByTable.get(table.name) ?? [])}`);
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
  const filesByTable = new Map<string, string[]>();
  for (const table of lakeTables) filesByTable.set(table.name, (await listTableFiles(root, table)).map(toRelative));

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

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
 * target and renamed over it (a rename within a folder is atomic). Long-running commands
 * (`serve`, `demo`) rebuild it as files arrive (local/lake-catalog-refresh).
 */
import { randomUUID } from 'node:crypto';
import { access, rename, rm } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { catalogFileName } from './lake-folder';
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

/** The catalog could not be written; the previous one (if any) is untouched. */
export class CatalogNotBuilt extends Error {
  override readonly name = 'CatalogNotBuilt';
  constructor(
    readonly path: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message.split('\n')[0] : String(cause);
    super(
      `could not rebuild the lake's catalog ${path} (${reason}); the previous catalog is kept. ` +
        'Free the lake folder (space, permissions; a program holding the file open: open it with `duckdb -readonly`), then run any command that changes the lake to rebuild it',
      { cause },
    );
  }
}

export interface BuildOptions {
  /** Puts the staged catalog in place of the old one (a rename); a test makes it fail. */
  readonly replace?: (staging: string, target: string) => Promise<void>;
}

/** Rebuilds of one lake run one after another in this process, so an older listing never lands after a newer one. */
const builds = new Map<string, Promise<unknown>>();

/**
 * (Re)builds `<lakeDir>/brewlake.duckdb` from the files the lake holds now, and returns its
 * path. The lake folder must exist. Safe to run while readers have the old catalog open, even
 * DuckDB's CLI opened read-write (which locks the file): the new catalog replaces the old one
 * by a rename, which needs no lock on the old file; a session that has it open keeps reading
 * the old one until it reopens. Fails with `CatalogNotBuilt`, keeping the old catalog.
 */
export function buildLakeCatalog(lakeDir: string, options: BuildOptions = {}): Promise<string> {
  const root = resolve(lakeDir);
  // Compaction (local/compaction) rebuilds between its renames and its removals: a rebuild
  // that listed the files before those renames must not land after it.
  const build = (builds.get(root) ?? Promise.resolve()).catch(() => undefined).then(() => buildNow(root, options));
  builds.set(root, build);
  void build.finally(() => {
    if (builds.get(root) === build) builds.delete(root);
  }).catch(() => undefined);
  return build;
}

/** How many times a build whose files vanished meanwhile (another process compacted) starts over. */
const attemptsWhenFilesVanish = 3;

async function buildNow(root: string, options: BuildOptions): Promise<string> {
  const target = join(root, catalogFileName);
  for (let attempt = 1; ; attempt++) {
    const filesByTable = await listCatalogFiles(root);
    const listed = [...filesByTable.values()].flatMap((f) => [...f.json, ...f.parquet]).map((f) => join(dirname(root), f));
    const vanished = async () => (await Promise.all(listed.map((f) => access(f).then(() => false, () => true)))).some(Boolean);
    const staging = join(root, `.${catalogFileName}.${randomUUID()}.tmp`);
    try {
      await writeCatalog(staging, dirname(root), filesByTable);
      await (options.replace ?? rename)(staging, target);
    } catch (error) {
      if (attempt < attemptsWhenFilesVanish && (await vanished())) continue;
      throw new CatalogNotBuilt(target, error);
    } finally {
      await rm(staging, { force: true });
      await rm(`${staging}.wal`, { force: true });
    }
    // A file listed above and removed since (compaction in another process) would fail every
    // query of its view: list again.
    if (attempt < attemptsWhenFilesVanish && (await vanished())) continue;
    return target;
  }
}

/** Each table's files, by paths relative to the lake's parent (`lake/cleaned/2024/…`). */
async function listCatalogFiles(root: string): Promise<Map<string, TableFiles>> {
  const toRelative = (file: string) => [basename(root), ...relative(root, file).split(sep)].join('/');
  const filesByTable = new Map<string, TableFiles>();
  for (const table of lakeTables) {
    const files = await listTableFiles(root, table);
    filesByTable.set(table.name, { json: files.json.map(toRelative), parquet: files.parquet.map(toRelative) });
  }
  return filesByTable;
}

/** Runs the catalog's statements in the database at `path` (`:memory:` for none), resolving the files from `parent`. */
async function withCatalog<T>(path: string, parent: string, filesByTable: ReadonlyMap<string, TableFiles>, use: (connection: DuckDBConnection) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(path);
  try {
    const connection = await instance.connect();
    try {
      // Creating a view binds it, which opens its files: resolve them as a reader standing in the lake's parent will.
      await connection.run(`set file_search_path = ${sqlString(parent)}`);
      for (const statement of catalogStatements(filesByTable)) await connection.run(statement);
      return await use(connection);
    } finally {
      connection.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}

const writeCatalog = (staging: string, parent: string, filesByTable: ReadonlyMap<string, TableFiles>) =>
  withCatalog(staging, parent, filesByTable, async (connection) => void (await connection.run('checkpoint')));

/**
 * The tables and views of the lake's catalog, with their comments, read the way any DuckDB
 * tool reads them (`duckdb_views()`, `duckdb_columns()`), from the same statements that
 * build the catalog file, run in an in-memory database: the file itself is never opened, so
 * a DuckDB session holding it (and its lock) cannot fail this, and nothing is written.
 */
export async function describeLakeTables(lakeDir: string): Promise<TableDescription[]> {
  const root = resolve(lakeDir);
  return withCatalog(':memory:', dirname(root), await listCatalogFiles(root), async (connection) => {
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
  });
}

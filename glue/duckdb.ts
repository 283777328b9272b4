/**
 * DuckDB standing in for Athena over the local lake folder: an in-memory database with one
 * view per lake table (named like the Glue tables) reading the table's newline-delimited
 * JSON files with the columns and types of glue/schema (never auto-detected: the schema is
 * the contract), and the de-duplicated `beers` view of glue/views on top.
 *
 * Why the views list their files instead of holding a glob: DuckDB's JSON reader cannot
 * leave a writer's staging files out of a glob (a filter on the file name is applied after
 * the file is read, a list of globs fails when one matches nothing, and table-function
 * arguments cannot be subqueries), and a glob matching no file at all is an error, while an
 * empty zone must be an empty table. So before every query the engine lists each zone and
 * re-creates the views whose files changed: a file delivered after `open` is seen by the
 * next query, exactly as a glob re-evaluated at query time would see it.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  DuckDBInstance,
  DuckDBTypeId,
  JsonDuckDBValueConverter,
  dateFromTimestampMillisecondsValue,
  dateFromTimestampNanosecondsValue,
  dateFromTimestampSecondsValue,
  dateFromTimestampTZValue,
  dateFromTimestampValue,
  doubleFromDecimalValue,
  stringFromValue,
  type DuckDBConnection,
  type DuckDBPreparedStatement,
  type DuckDBResultReader,
  type DuckDBValue,
  type DuckDBValueConverter,
  StatementType,
  type Json,
} from '@duckdb/node-api';
import type { Database } from '@duckdb/node-bindings';
import { listTableFiles } from './lake-files';
import { explainedStatement, splitStatements } from './sql-statements';
import {
  QueryCancelled,
  QueryFailed,
  QueryTimeout,
  bigintValue,
  lakeTimestampText,
  type JsonValue,
  type QueryEngine,
  type QueryResult,
} from './query-engine';
import { beersView, lakeTables, type TableDefinition } from './schema';
import { createViewSql, quoteIdentifier, sqlString, tableFilesSelectSql } from './views';

export { lakeTimestampFormat } from './views';

export interface DuckDbLakeOptions {
  /** Interrupt a statement running longer than this (`QueryTimeout`). Default: no limit. */
  readonly timeoutMs?: number;
  /** The tables to expose. Default: every table in `lakeTables`. */
  readonly tables?: readonly TableDefinition[];
  /**
   * Let SQL read files outside the lake (`read_csv('~/beers.csv')`). Default false: the
   * engine reads only below the lake folder. Either way, queries are read-only.
   */
  readonly allowLocalFiles?: boolean;
}

/**
 * A statement the lake engine will not run: it only reads. Writing (`COPY … TO`, `CREATE`),
 * attaching databases, loading extensions or changing settings is refused before it runs.
 */
export class QueryRefused extends Error {
  override readonly name = 'QueryRefused';
  constructor(readonly sql: string, reason: string) {
    super(`refused: ${reason}`);
  }
}

/** What `query()` runs: statements that read (DESCRIBE, SUMMARIZE, SHOW, PRAGMA … are SELECTs to DuckDB). */
const readingStatements: ReadonlySet<StatementType> = new Set([StatementType.SELECT, StatementType.EXPLAIN]);

interface RunningStatement {
  readonly sql: string;
  interruptedBy?: 'timeout' | 'close';
}

export interface DuckDbLakeEngine extends QueryEngine {
  readonly kind: 'duckdb';
  readonly lakeDir: string;
}

const noFiles = { json: [], parquet: [] } as const;

/** A SQL string literal (one spelling, glue/views). */
export { sqlString } from './views';

/** Whether `sql` names `name` as a whole word (quoted or not), case-insensitively. */
function mentions(sql: string, name: string): boolean {
  return new RegExp(`(^|[^A-Za-z0-9_$])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9_$])`, 'i').test(sql);
}

/** Where bin/duckdb-warm-start.mjs leaves the in-memory database it began opening while the command loaded. */
const warmDatabaseKey = Symbol.for('brewlake.duckdb.warm-database');

/** The database the launcher began opening, taken once (the next engine opens its own), or undefined. */
async function takeWarmDatabase(): Promise<DuckDBInstance | undefined> {
  const slots = globalThis as unknown as Record<symbol, Promise<Database> | undefined>;
  const opening = slots[warmDatabaseKey];
  if (!opening) return undefined;
  delete slots[warmDatabaseKey];
  try {
    return new DuckDBInstance(await opening);
  } catch {
    return undefined;
  }
}

/** Opens an in-memory DuckDB with the lake's views over `lakeDir` (which need not exist yet). */
export async function openDuckDbLake(lakeDir: string, options: DuckDbLakeOptions = {}): Promise<DuckDbLakeEngine> {
  const root = resolve(lakeDir);
  const tables = options.tables ?? lakeTables;
  const instance = (await takeWarmDatabase()) ?? (await DuckDBInstance.create(':memory:'));
  const connection = await instance.connect();
  // DuckDB adds its spill folder to the directories a locked engine may use, and by default
  // that is `.tmp/` in the working directory: a private folder (created only if a query
  // spills, removed at close) keeps the working directory out of reach.
  // (Named without node:crypto, whose start-up alone is ~15 ms of a one-query command.)
  const spillDir = join(tmpdir(), `brewlake-duckdb-${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`);
  const settings = [
    // Parquet footers read once per file, not once per statement: a compacted lake is one file a day.
    'set parquet_metadata_cache = true',
    `set temp_directory = ${sqlString(spillDir)}`,
    // Every extension the lake needs (json, parquet, icu) is built in: none is fetched from the
    // network because a query named one of its functions.
    'set autoinstall_known_extensions = false',
    'set autoload_known_extensions = false',
    // Files are read only below the lake's folder (or anywhere on this machine with
    // allowLocalFiles, never over the network), and the lock cannot be lifted from SQL
    // (`SET enable_external_access = true` fails once locked).
    `set allowed_directories = [${sqlString(options.allowLocalFiles ? '/' : `${root.replace(/\/+$/, '')}/`)}]`,
    'set enable_external_access = false',
    'set lock_configuration = true',
  ];
  const viewFiles = new Map<string, string>();
  let closed = false;
  let running: RunningStatement | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  /**
   * Re-lists the tables a statement names (`beers` names `cleaned`) and re-creates the views
   * whose files changed; with no statement (at open), creates every view over no files. A
   * view the statement does not name cannot change its answer, so it is not listed: a
   * query on one zone does not pay for walking the others' hours.
   */
  const refreshViews = async (sql?: string, before: readonly string[] = []) => {
    const named = sql === undefined ? [] : tables.filter((t) => mentions(sql, t.name) || (t === beersView.source && mentions(sql, beersView.name)));
    const listings = await Promise.all(named.map((t) => listTableFiles(root, t)));
    const fresh = sql === undefined ? tables.map((t) => [t, noFiles] as const) : named.map((t, i) => [t, listings[i] ?? noFiles] as const);
    const statements = [...before];
    const signatures = new Map<string, string>();
    for (const [table, files] of fresh) {
      const signature = [...files.json, '|', ...files.parquet].join('\n');
      if (viewFiles.get(table.name) === signature) continue;
      statements.push(`create or replace view ${quoteIdentifier(table.name)} as\n${tableFilesSelectSql(table, files)}`);
      signatures.set(table.name, signature);
    }
    if (!viewFiles.has(beersView.name) && tables.includes(beersView.source)) {
      statements.push(createViewSql(beersView));
      signatures.set(beersView.name, '');
    }
    if (statements.length === 0) return;
    // One round trip for them all: each statement on its own costs a hop to DuckDB's thread
    // and back, which a one-query command (`npx brewlake query`) paid a dozen times at start.
    await connection.run(statements.join(';\n'));
    for (const [name, signature] of signatures) viewFiles.set(name, signature);
  };

  /**
   * DuckDB forgets an interrupt that lands between statements (each statement starts
   * uninterrupted), so it is repeated until the statement it was meant for has settled.
   */
  const interrupt = (statement: RunningStatement, why: 'timeout' | 'close') => {
    statement.interruptedBy ??= why;
    const repeat = () => {
      if (running !== statement) return;
      connection.interrupt();
      setTimeout(repeat, 25).unref();
    };
    repeat();
  };

  const run = async (sql: string): Promise<QueryResult> => {
    if (closed) throw new QueryCancelled('duckdb', sql, 'the engine is closed');
    const current: RunningStatement = { sql };
    running = current;
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => interrupt(current, 'timeout'), options.timeoutMs);
    try {
      await refreshViews(sql);
      if (current.interruptedBy) throw new Error('interrupted before the statement started');
      return await runReading(connection, sql);
    } catch (error) {
      if (error instanceof QueryRefused) throw error;
      const message = error instanceof Error ? error.message : String(error);
      const file = /Cannot access (?:file|directory) "([^"]*)" - file system operations are disabled by configuration/.exec(message);
      if (file) throw new QueryRefused(sql, `${file[1]} is outside the lake (${root}): the engine reads only the lake's files; npx brewlake query --allow-local-files reads local files`);
      if (current.interruptedBy === 'timeout') throw new QueryTimeout('duckdb', sql, options.timeoutMs ?? 0);
      if (current.interruptedBy === 'close') throw new QueryCancelled('duckdb', sql, 'the engine was closed while the query ran');
      throw new QueryFailed('duckdb', sql, message);
    } finally {
      clearTimeout(timer);
      running = undefined;
    }
  };

  try {
    await refreshViews(undefined, settings);
  } catch (error) {
    connection.closeSync();
    instance.closeSync();
    throw error;
  }

  return {
    kind: 'duckdb',
    lakeDir: root,
    query(sql) {
      // One connection runs one statement at a time; the queue also keeps a view refresh
      // from racing another query's.
      const result = queue.then(() => run(sql));
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      if (closed) return;
      closed = true;
      if (running) interrupt(running, 'close');
      await queue;
      connection.closeSync();
      instance.closeSync();
      await rm(spillDir, { recursive: true, force: true });
    },
  };
}

/**
 * Runs `sql` (one statement or several, answering with the last) once every statement in it
 * is known to only read (`QueryRefused` otherwise, before any runs). Each statement is
 * parsed and planned once: the plan that was checked is the plan that runs.
 */
async function runReading(connection: DuckDBConnection, sql: string): Promise<QueryResult> {
  const statements = await connection.extractStatements(sql);
  const prepared: DuckDBPreparedStatement[] = [];
  try {
    for (let i = 0; i < statements.count; i++) {
      const statement = await statements.prepare(i);
      prepared.push(statement);
      const type = statement.statementType;
      if (!readingStatements.has(type)) throw new QueryRefused(sql, `the lake engine only reads (SELECT, EXPLAIN, DESCRIBE, SUMMARIZE …); this is a ${StatementType[type] ?? type} statement`);
      if (type === StatementType.EXPLAIN) await refuseExplainedWriting(connection, sql, i, statements.count);
    }
    let reader: DuckDBResultReader | undefined;
    for (const statement of prepared) reader = await statement.runAndReadAll();
    if (!reader) throw new Error('no statement to run');
    const names = reader.columnNames();
    const types = reader.columnTypes();
    const columns = names.map((name, i) => ({ name, type: String(types[i]) }));
    // Built with fromEntries (own properties), so a column aliased `__proto__` stays a column.
    const rows = (reader.convertRows(lakeValueConverter) as JsonValue[][]).map((row) => Object.fromEntries(names.map((name, i) => [name, row[i] ?? null])));
    return { columns, rows };
  } finally {
    for (const statement of prepared) statement.destroySync();
  }
}

/**
 * An EXPLAIN only reads when what it explains does: `EXPLAIN ANALYZE` runs its statement, so
 * `EXPLAIN ANALYZE COPY … TO` would write. The statement is read out of the text
 * (glue/sql-statements) and DuckDB types it; anything unclear is refused.
 */
async function refuseExplainedWriting(connection: DuckDBConnection, sql: string, index: number, count: number): Promise<void> {
  const texts = splitStatements(sql);
  const explained = texts.length === count ? explainedStatement(texts[index]!) : undefined;
  if (!explained) throw new QueryRefused(sql, 'the lake engine could not tell what this EXPLAIN explains; give it one statement at a time');
  const inner = await connection.extractStatements(explained.statement);
  if (inner.count !== 1) throw new QueryRefused(sql, 'an EXPLAIN explains one statement');
  const statement = await inner.prepare(0);
  const type = statement.statementType;
  statement.destroySync();
  if (type !== StatementType.SELECT) throw new QueryRefused(sql, `the lake engine only reads; this EXPLAIN${explained.analyze ? ' ANALYZE' : ''} explains a ${StatementType[type] ?? type} statement`);
}

/**
 * DuckDB values as the interface promises them; everything not listed converts as
 * DuckDB's own JSON converter does (lists → arrays, structs → objects, VARCHAR → string).
 */
const lakeValueConverter: DuckDBValueConverter<JsonValue> = (value, type, converter) => {
  if (value == null) return null;
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return typeof value === 'bigint' ? bigintValue(value) : stringFromValue(value);
    case DuckDBTypeId.DECIMAL:
      return doubleFromDecimalValue(value);
    case DuckDBTypeId.TIMESTAMP:
      return timestampText(value, dateFromTimestampValue);
    case DuckDBTypeId.TIMESTAMP_S:
      return timestampText(value, dateFromTimestampSecondsValue);
    case DuckDBTypeId.TIMESTAMP_MS:
      return timestampText(value, dateFromTimestampMillisecondsValue);
    case DuckDBTypeId.TIMESTAMP_NS:
      return timestampText(value, dateFromTimestampNanosecondsValue);
    case DuckDBTypeId.TIMESTAMP_TZ:
      return timestampText(value, dateFromTimestampTZValue);
    default:
      return JsonDuckDBValueConverter(value, type, converter as DuckDBValueConverter<Json>) as JsonValue;
  }
};

/** Infinite timestamps have no calendar text; DuckDB's own spelling (`infinity`) stands. */
function timestampText(value: DuckDBValue, toDate: (value: DuckDBValue) => Date): string {
  try {
    return lakeTimestampText(toDate(value).getTime());
  } catch {
    return stringFromValue(value);
  }
}

/**
 * The one interface the lake is queried through: DuckDB over the local lake folder
 * (glue/duckdb) and Athena over the S3 lake (glue/athena) both implement it, so the CLI,
 * the model's training and the saved queries run the same SQL in either world.
 */

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ResultColumn {
  readonly name: string;
  /** The engine's own spelling of the column type, e.g. `INTEGER` (DuckDB) or `integer` (Athena). */
  readonly type: string;
}

/**
 * Rows with typed values: integers and doubles are numbers; a BIGINT is a number when it is
 * a safe integer, otherwise its decimal text; booleans are booleans; timestamps are UTC text
 * `YYYY-MM-DD HH:MM:SS.sss` (the lake's own timestamp spelling); arrays and structs are JS
 * arrays and objects; NULL is null.
 */
export interface QueryResult {
  readonly columns: readonly ResultColumn[];
  readonly rows: Record<string, JsonValue>[];
}

export type EngineKind = 'duckdb' | 'athena';

export interface QueryEngine {
  readonly kind: EngineKind;
  /** Runs one statement. Rejects with `QueryFailed`, `QueryTimeout` or `QueryCancelled`. */
  query(sql: string): Promise<QueryResult>;
  close(): Promise<void>;
}

/** The engine rejected or failed the statement; `message` is the engine's own. */
export class QueryFailed extends Error {
  override readonly name = 'QueryFailed';
  constructor(
    readonly engine: EngineKind,
    readonly sql: string,
    message: string,
    /** The engine's query id, when it has one (Athena's QueryExecutionId). */
    readonly queryId?: string,
  ) {
    super(message);
  }
}

/** The statement ran longer than the engine's time limit and was stopped. */
export class QueryTimeout extends Error {
  override readonly name = 'QueryTimeout';
  constructor(
    readonly engine: EngineKind,
    readonly sql: string,
    readonly timeoutMs: number,
    readonly queryId?: string,
  ) {
    super(`query did not finish within ${timeoutMs} ms and was stopped`);
  }
}

/** The statement was cancelled before it finished (by a user, the console, or `close()`). */
export class QueryCancelled extends Error {
  override readonly name = 'QueryCancelled';
  constructor(
    readonly engine: EngineKind,
    readonly sql: string,
    reason: string,
    readonly queryId?: string,
  ) {
    super(reason);
  }
}

export type QueryError = QueryFailed | QueryTimeout | QueryCancelled;

export function isQueryError(error: unknown): error is QueryError {
  return error instanceof QueryFailed || error instanceof QueryTimeout || error instanceof QueryCancelled;
}

/** A BIGINT as a number when no precision is lost, else its exact decimal text. */
export function bigintValue(value: bigint): number | string {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value.toString();
}

/** An instant as the lake spells timestamps: UTC `YYYY-MM-DD HH:MM:SS.sss`. */
export function lakeTimestampText(epochMillis: number): string {
  return new Date(epochMillis).toISOString().replace('T', ' ').replace('Z', '');
}

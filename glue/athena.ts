/**
 * Athena behind the lake's `QueryEngine` interface: the same SQL the DuckDB engine runs
 * locally, run over the Glue tables of the AWS lake.
 *
 * A statement is started in a workgroup and database, polled with exponential backoff
 * (bounded both ways) until it finishes, and its results are paged through. FAILED and
 * CANCELLED become `QueryFailed` / `QueryCancelled` with Athena's reason; a statement still
 * running at the time limit is stopped (StopQueryExecution) and rejected with `QueryTimeout`.
 */
import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type ColumnInfo,
  type QueryExecution,
  type Row,
} from '@aws-sdk/client-athena';
import { athenaValue } from './athena-values';
import {
  QueryCancelled,
  QueryFailed,
  QueryTimeout,
  type JsonValue,
  type QueryEngine,
  type QueryResult,
  type ResultColumn,
} from './query-engine';

export interface AthenaPollInterval {
  /** Delay before the first status check, in ms. */
  readonly initialMs: number;
  /** The backoff doubles the delay up to this. */
  readonly maxMs: number;
}

export interface AthenaEngineOptions {
  /** An Athena client; by default one is created (and destroyed by `close()`) for `region`. */
  readonly client?: AthenaClient;
  readonly region?: string;
  readonly workGroup: string;
  /** The Glue database the lake's tables live in. */
  readonly database: string;
  readonly catalog?: string;
  /** Where Athena writes results; needed only when the workgroup does not set one. */
  readonly outputLocation?: string;
  readonly pollInterval?: AthenaPollInterval;
  /** A statement still running after this long is stopped. */
  readonly timeoutMs?: number;
  /** Rows per GetQueryResults page (Athena allows up to 1000). */
  readonly pageSize?: number;
  /** The clock and the wait between polls; tests replace them instead of waiting. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

export const defaultAthenaPollInterval: AthenaPollInterval = { initialMs: 250, maxMs: 4_000 };
export const defaultAthenaTimeoutMs = 5 * 60_000;

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface AthenaEngine extends QueryEngine {
  readonly kind: 'athena';
}

export function createAthenaEngine(options: AthenaEngineOptions): AthenaEngine {
  const ownsClient = options.client === undefined;
  const client = options.client ?? new AthenaClient(options.region ? { region: options.region } : {});
  const poll = options.pollInterval ?? defaultAthenaPollInterval;
  if (!(poll.initialMs > 0 && poll.maxMs >= poll.initialMs)) {
    throw new RangeError(`pollInterval: need 0 < initialMs <= maxMs, got ${poll.initialMs} and ${poll.maxMs}`);
  }
  const timeoutMs = options.timeoutMs ?? defaultAthenaTimeoutMs;
  const pageSize = options.pageSize ?? 1000;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  let closed = false;
  const inFlight = new Set<Promise<unknown>>();

  const failed = (sql: string, error: unknown, queryId?: string) =>
    new QueryFailed('athena', sql, error instanceof Error ? `${error.name}: ${error.message}` : String(error), queryId);

  async function start(sql: string): Promise<string> {
    try {
      const started = await client.send(
        new StartQueryExecutionCommand({
          QueryString: sql,
          WorkGroup: options.workGroup,
          QueryExecutionContext: { Database: options.database, ...(options.catalog ? { Catalog: options.catalog } : {}) },
          ...(options.outputLocation ? { ResultConfiguration: { OutputLocation: options.outputLocation } } : {}),
        }),
      );
      if (!started.QueryExecutionId) throw new Error('StartQueryExecution returned no QueryExecutionId');
      return started.QueryExecutionId;
    } catch (error) {
      throw failed(sql, error);
    }
  }

  async function stop(id: string): Promise<void> {
    // Best effort: the statement may have finished meanwhile; the caller's error stands.
    await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id })).catch(() => undefined);
  }

  /** Polls until the statement leaves QUEUED/RUNNING; returns the finished execution. */
  async function waitForCompletion(sql: string, id: string): Promise<QueryExecution> {
    const startedAt = now();
    let delay = poll.initialMs;
    for (;;) {
      const elapsed = now() - startedAt;
      if (elapsed >= timeoutMs) {
        await stop(id);
        throw new QueryTimeout('athena', sql, timeoutMs, id);
      }
      if (closed) {
        await stop(id);
        throw new QueryCancelled('athena', sql, 'the engine was closed while the query ran', id);
      }
      await sleep(Math.min(delay, timeoutMs - elapsed));
      delay = Math.min(delay * 2, poll.maxMs);
      let execution: QueryExecution | undefined;
      try {
        execution = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution;
      } catch (error) {
        throw failed(sql, error, id);
      }
      const status = execution?.Status;
      switch (status?.State) {
        case 'SUCCEEDED':
          return execution!;
        case 'FAILED': {
          const reason = status.StateChangeReason ?? status.AthenaError?.ErrorMessage ?? 'query failed';
          throw new QueryFailed('athena', sql, reason, id);
        }
        case 'CANCELLED':
          throw new QueryCancelled('athena', sql, status.StateChangeReason ?? 'query was cancelled', id);
        default:
          break; // QUEUED, RUNNING
      }
    }
  }

  async function readResults(sql: string, execution: QueryExecution, id: string): Promise<QueryResult> {
    let columnInfo: ColumnInfo[] | undefined;
    const rows: Record<string, JsonValue>[] = [];
    let columns: ResultColumn[] = [];
    let nextToken: string | undefined;
    let firstPage = true;
    do {
      let page;
      try {
        page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: pageSize, NextToken: nextToken }));
      } catch (error) {
        throw failed(sql, error, id);
      }
      if (columnInfo === undefined) {
        columnInfo = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        columns = columnInfo.map((c, i) => ({ name: c.Name ?? c.Label ?? `_col${i}`, type: c.Type ?? 'varchar' }));
      }
      let pageRows: Row[] = page.ResultSet?.Rows ?? [];
      // A SELECT's first row is its header; DDL and utility statements have none.
      if (firstPage && execution.StatementType === 'DML') pageRows = pageRows.slice(1);
      for (const row of pageRows) rows.push(rowObject(columns, row));
      nextToken = page.NextToken;
      firstPage = false;
    } while (nextToken);
    return { columns, rows };
  }

  return {
    kind: 'athena',
    async query(sql) {
      if (closed) throw new QueryCancelled('athena', sql, 'the engine is closed');
      const running = (async () => {
        const id = await start(sql);
        const execution = await waitForCompletion(sql, id);
        return readResults(sql, execution, id);
      })();
      inFlight.add(running);
      try {
        return await running;
      } finally {
        inFlight.delete(running);
      }
    },
    async close() {
      closed = true;
      // Running statements see `closed` at their next poll, stop, and settle as QueryCancelled.
      await Promise.allSettled([...inFlight]);
      if (ownsClient) client.destroy();
    },
  };
}

function rowObject(columns: readonly ResultColumn[], row: Row): Record<string, JsonValue> {
  const data = row.Data ?? [];
  // fromEntries defines own properties: a column aliased `__proto__` stays a column.
  return Object.fromEntries(columns.map((column, i) => [column.name, athenaValue(data[i]?.VarCharValue, column.type)]));
}

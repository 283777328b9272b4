import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  InvalidRequestException,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
  type ColumnInfo,
  type GetQueryExecutionOutput,
  type GetQueryResultsOutput,
  type QueryExecutionState,
} from '@aws-sdk/client-athena';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { createAthenaEngine, type AthenaEngineOptions } from './athena';
import { athenaValue } from './athena-values';
import { QueryCancelled, QueryFailed, QueryTimeout } from './query-engine';

/**
 * A real AthenaClient whose `send` is stubbed by command type: nothing leaves the process,
 * and the engine is exercised exactly at the SDK boundary.
 */
function stubbedAthena(script: {
  states?: QueryExecutionState[];
  reason?: string;
  statementType?: 'DML' | 'DDL' | 'UTILITY';
  pages?: GetQueryResultsOutput[];
  startError?: Error;
}) {
  const client = new AthenaClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const states = [...(script.states ?? ['SUCCEEDED'])];
  const calls: { command: string; input: Record<string, unknown> }[] = [];
  const send = vi.fn(async (command: { input: Record<string, unknown> }) => {
    calls.push({ command: command.constructor.name, input: command.input });
    if (command instanceof StartQueryExecutionCommand) {
      if (script.startError) throw script.startError;
      return { QueryExecutionId: 'q-1' };
    }
    if (command instanceof GetQueryExecutionCommand) {
      const state = states.length > 1 ? states.shift()! : states[0]!;
      return {
        QueryExecution: {
          QueryExecutionId: 'q-1',
          StatementType: script.statementType ?? 'DML',
          Status: { State: state, ...(script.reason ? { StateChangeReason: script.reason } : {}) },
        },
      } satisfies GetQueryExecutionOutput;
    }
    if (command instanceof GetQueryResultsCommand) {
      const token = command.input.NextToken as string | undefined;
      const index = token ? Number(token.replace('page-', '')) : 0;
      return script.pages?.[index] ?? {};
    }
    if (command instanceof StopQueryExecutionCommand) return {};
    throw new Error(`unexpected command ${command.constructor.name}`);
  });
  client.send = send as unknown as AthenaClient['send'];
  return { client, calls };
}

/** A clock that only moves when the engine sleeps: no real waiting, no timed assertions. */
function fakeClock() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

const columns: ColumnInfo[] = [
  { Name: 'id', Type: 'integer' },
  { Name: 'name', Type: 'varchar' },
  { Name: 'abv', Type: 'double' },
  { Name: 'n', Type: 'bigint' },
  { Name: 'ok', Type: 'boolean' },
  { Name: 'arrived_at', Type: 'timestamp' },
  { Name: 'dq_flags', Type: 'array' },
];
const header = { Data: columns.map((c) => ({ VarCharValue: c.Name })) };
const row = (...values: (string | undefined)[]) => ({ Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })) });

function engineOver(stub: ReturnType<typeof stubbedAthena>, clock = fakeClock(), extra: Partial<AthenaEngineOptions> = {}) {
  return createAthenaEngine({
    client: stub.client,
    workGroup: 'brewlake',
    database: 'brewlake_lake',
    pollInterval: { initialMs: 100, maxMs: 800 },
    timeoutMs: 10_000,
    now: clock.now,
    sleep: clock.sleep,
    ...extra,
  });
}

describe('createAthenaEngine', () => {
  it('starts in the workgroup and database, polls until SUCCEEDED, drops the header row and types the values', async () => {
    const stub = stubbedAthena({
      states: ['QUEUED', 'RUNNING', 'SUCCEEDED'],
      pages: [
        {
          ResultSet: {
            ResultSetMetadata: { ColumnInfo: columns },
            Rows: [header, row('1', 'Buzz', '4.5', '9007199254740993', 'true', '2024-01-02 03:04:05.1', '[a, b]'), row('2', undefined, undefined, '7', 'false', undefined, '[]')],
          },
        },
      ],
    });
    const engine = engineOver(stub, fakeClock(), { outputLocation: 's3://results/' });
    const result = await engine.query('select * from beers');

    expect(stub.calls[0]).toEqual({
      command: 'StartQueryExecutionCommand',
      input: {
        QueryString: 'select * from beers',
        WorkGroup: 'brewlake',
        QueryExecutionContext: { Database: 'brewlake_lake' },
        ResultConfiguration: { OutputLocation: 's3://results/' },
      },
    });
    expect(stub.calls.filter((c) => c.command === 'GetQueryExecutionCommand')).toHaveLength(3);
    expect(result.columns).toEqual(columns.map((c) => ({ name: c.Name, type: c.Type })));
    expect(result.rows).toEqual([
      { id: 1, name: 'Buzz', abv: 4.5, n: '9007199254740993', ok: true, arrived_at: '2024-01-02 03:04:05.100', dq_flags: '[a, b]' },
      { id: 2, name: null, abv: null, n: 7, ok: false, arrived_at: null, dq_flags: '[]' },
    ]);
    expect(engine.kind).toBe('athena');
  });

  it('pages through results with NextToken; only the first page carries the header', async () => {
    const stub = stubbedAthena({
      pages: [
        { ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'id', Type: 'integer' }] }, Rows: [{ Data: [{ VarCharValue: 'id' }] }, row('1'), row('2')] }, NextToken: 'page-1' },
        { ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'id', Type: 'integer' }] }, Rows: [row('3'), row('4')] }, NextToken: 'page-2' },
        { ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'id', Type: 'integer' }] }, Rows: [row('5')] } },
      ],
    });
    const result = await engineOver(stub).query('select id from beers');
    expect(result.rows.map((r) => r.id)).toEqual([1, 2, 3, 4, 5]);
    const pageCalls = stub.calls.filter((c) => c.command === 'GetQueryResultsCommand');
    expect(pageCalls.map((c) => c.input.NextToken)).toEqual([undefined, 'page-1', 'page-2']);
    expect(pageCalls.every((c) => c.input.QueryExecutionId === 'q-1')).toBe(true);
  });

  it('keeps the first row of a DDL result (no header there)', async () => {
    const stub = stubbedAthena({
      statementType: 'DDL',
      pages: [{ ResultSet: { ResultSetMetadata: { ColumnInfo: [{ Name: 'tab_name', Type: 'string' }] }, Rows: [row('beers'), row('cleaned')] } }],
    });
    expect((await engineOver(stub).query('show tables')).rows).toEqual([{ tab_name: 'beers' }, { tab_name: 'cleaned' }]);
  });

  it('rejects FAILED with QueryFailed carrying the StateChangeReason and the SQL', async () => {
    const reason = "SYNTAX_ERROR: line 1:8: Column 'nope' cannot be resolved";
    const stub = stubbedAthena({ states: ['RUNNING', 'FAILED'], reason });
    const error = await engineOver(stub).query('select nope from beers').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailed);
    expect(error).toMatchObject({ name: 'QueryFailed', engine: 'athena', message: reason, sql: 'select nope from beers', queryId: 'q-1' });
    expect(stub.calls.some((c) => c.command === 'GetQueryResultsCommand')).toBe(false);
  });

  it('rejects CANCELLED with QueryCancelled carrying the reason', async () => {
    const stub = stubbedAthena({ states: ['RUNNING', 'CANCELLED'], reason: 'Query cancelled by user' });
    const error = await engineOver(stub).query('select 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryCancelled);
    expect(error).toMatchObject({ name: 'QueryCancelled', message: 'Query cancelled by user', queryId: 'q-1' });
  });

  it('rejects a request Athena refuses at start with QueryFailed naming the SDK error', async () => {
    const startError = new InvalidRequestException({ message: 'WorkGroup brewlake is disabled', $metadata: {} });
    const error = await engineOver(stubbedAthena({ startError })).query('select 1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailed);
    expect((error as Error).message).toBe('InvalidRequestException: WorkGroup brewlake is disabled');
  });

  it('on timeout stops the query with StopQueryExecution and rejects with QueryTimeout', async () => {
    const stub = stubbedAthena({ states: ['RUNNING'] });
    const clock = fakeClock();
    const error = await engineOver(stub, clock, { timeoutMs: 3_000 }).query('select slow').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryTimeout);
    expect(error).toMatchObject({ name: 'QueryTimeout', timeoutMs: 3_000, queryId: 'q-1', sql: 'select slow' });
    expect(stub.calls.filter((c) => c.command === 'StopQueryExecutionCommand')).toEqual([
      { command: 'StopQueryExecutionCommand', input: { QueryExecutionId: 'q-1' } },
    ]);
    // It waited exactly up to the limit, never past it.
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(3_000);
  });

  it('backs off exponentially between polls, within its bounds', async () => {
    const stub = stubbedAthena({ states: [...Array<QueryExecutionState>(9).fill('RUNNING'), 'SUCCEEDED'] });
    const clock = fakeClock();
    await engineOver(stub, clock).query('select 1');
    expect(clock.sleeps).toEqual([100, 200, 400, 800, 800, 800, 800, 800, 800, 800]);
  });

  it('rejects poll bounds that cannot work', () => {
    expect(() => engineOver(stubbedAthena({}), fakeClock(), { pollInterval: { initialMs: 0, maxMs: 10 } })).toThrow(RangeError);
    expect(() => engineOver(stubbedAthena({}), fakeClock(), { pollInterval: { initialMs: 50, maxMs: 10 } })).toThrow(RangeError);
  });

  it('close() stops a running statement and settles it as QueryCancelled', async () => {
    const stub = stubbedAthena({ states: ['RUNNING'] });
    const clock = fakeClock();
    let engine: ReturnType<typeof engineOver> | undefined;
    let closing: Promise<void> | undefined;
    const sleep = async (ms: number) => {
      await clock.sleep(ms);
      if (clock.sleeps.length === 2) closing = engine!.close();
    };
    engine = engineOver(stub, clock, { sleep });
    await expect(engine.query('select 1')).rejects.toBeInstanceOf(QueryCancelled);
    await closing;
    expect(stub.calls.some((c) => c.command === 'StopQueryExecutionCommand')).toBe(true);
    await expect(engine.query('select 1')).rejects.toBeInstanceOf(QueryCancelled);
  });
});

describe('athenaValue', () => {
  it('types every integer text exactly: numbers when safe, text beyond', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        const value = athenaValue(n.toString(), 'bigint');
        if (typeof value === 'number') expect(BigInt(value)).toBe(n);
        else expect(value).toBe(n.toString());
        expect(typeof value === 'number').toBe(Number.isSafeInteger(Number(n)));
      }),
    );
  });

  it.each([
    ['12', 'integer', 12],
    ['-3', 'smallint', -3],
    ['1.5', 'decimal(5,2)', 1.5],
    ['NaN', 'double', 'NaN'],
    ['2.5', 'real', 2.5],
    ['true', 'boolean', true],
    ['2024-01-02 03:04:05', 'timestamp', '2024-01-02 03:04:05.000'],
    ['2024-01-02 03:04:05.123456', 'timestamp(6)', '2024-01-02 03:04:05.123'],
    ['2024-01-02', 'date', '2024-01-02'],
    ['{"a":[1,2]}', 'json', { a: [1, 2] }],
    ['{name=x, grams=1.0}', 'row', '{name=x, grams=1.0}'],
    [undefined, 'varchar', null],
    ['', 'varchar', ''],
  ])('%j as %s → %j', (text, type, expected) => {
    expect(athenaValue(text, type)).toEqual(expected);
  });
});

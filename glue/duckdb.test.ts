import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { duckDbType } from './column-types';
import { savedQueries } from './saved-queries';
import { QueryRefused, openDuckDbLake, type DuckDbLakeEngine } from './duckdb';
import { catalogue, cleanedRowOf, writeLakeFile } from '../test/catalogue-lake';
import { errorsPrefix, processingFailedPrefix, firehoseObjectKey } from './layout';
import { QueryCancelled, QueryFailed, QueryTimeout } from './query-engine';
import { beersView, cleanedBeerTable, lakeTables, rawBeerTable, type CleanedBeer } from './schema';

let lake: string;
let engine: DuckDbLakeEngine | undefined;

beforeEach(async () => {
  lake = await mkdtemp(join(tmpdir(), 'brewlake-duckdb-'));
});
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  await rm(lake, { recursive: true, force: true });
});

const at = (iso: string) => new Date(iso);
const beerById = (id: number) => {
  const beer = catalogue.find((b) => b.id === id);
  if (!beer) throw new Error(`no catalogue beer ${id}`);
  return beer;
};

describe('openDuckDbLake', () => {
  it('keeps a column aliased like an Object.prototype key as a column', async () => {
    engine = await openDuckDbLake(lake);
    const { rows } = await engine.query(`select 1 as "__proto__", 2 as "constructor", 3 as "toString"`);
    expect(rows).toHaveLength(1);
    expect(Object.entries(rows[0]!)).toEqual([['__proto__', 1], ['constructor', 2], ['toString', 3]]);
  });

  it('exposes one view per lake table with exactly the schema columns and types, even with no files', async () => {
    engine = await openDuckDbLake(lake);
    for (const table of lakeTables) {
      const { columns, rows } = await engine.query(`select * from "${table.name}"`);
      expect(rows).toEqual([]);
      expect(columns).toEqual(table.columns.map((c) => ({ name: c.name, type: duckDbType(c.type) })));
    }
    const beers = await engine.query('select * from beers');
    expect(beers.columns).toEqual(cleanedBeerTable.columns.map((c) => ({ name: c.name, type: duckDbType(c.type) })));
  });

  it('reads Firehose-keyed files with typed values: structs, arrays, timestamps, nulls', async () => {
    const arrived = at('2024-03-05T06:07:08.009Z');
    await writeLakeFile(lake, cleanedBeerTable, [cleanedRowOf(beerById(1), arrived)], { time: arrived, id: 'a' });
    engine = await openDuckDbLake(lake);
    const { rows } = await engine.query('select * from cleaned');
    expect(rows).toEqual([cleanedRowOf(beerById(1), arrived)]);
    expect(rows[0]?.arrived_at).toBe('2024-03-05 06:07:08.009');
  });

  it('keeps the latest arrival per id in beers, and every arrival in cleaned', async () => {
    const first = at('2024-01-01T00:00:00.000Z');
    const second = at('2024-01-01T01:30:00.250Z');
    const older = { ...cleanedRowOf(beerById(1), first), name: 'old name' };
    const newer = cleanedRowOf(beerById(1), second);
    const other = cleanedRowOf(beerById(2), first);
    // The newer record sits in an earlier file: order of files must not matter.
    await writeLakeFile(lake, cleanedBeerTable, [newer, other], { time: first, id: 'a' });
    await writeLakeFile(lake, cleanedBeerTable, [older, other], { time: second, id: 'b' });
    engine = await openDuckDbLake(lake);

    expect((await engine.query('select count(*) as n from cleaned')).rows).toEqual([{ n: 4 }]);
    const beers = await engine.query('select id, name, arrived_at from beers order by id');
    expect(beers.rows).toEqual([
      { id: 1, name: beerById(1).name, arrived_at: '2024-01-01 01:30:00.250' },
      { id: 2, name: beerById(2).name, arrived_at: '2024-01-01 00:00:00.000' },
    ]);
    expect(beersView.key).toBe('id');
  });

  it('beers holds, for every set of arrivals (ties and redelivered duplicates included), one row per id, with its latest arrival', async () => {
    engine = await openDuckDbLake(lake);
    const open = engine;
    const base = at('2024-01-01T00:00:00.000Z').getTime();
    // An arrival: a beer id, a minute (few values, so ties are common), how many times it was
    // delivered (at-least-once), and which of four files in two hours it landed in.
    const arrival = fc.record({ id: fc.constantFrom(1, 2, 3, 4), minute: fc.integer({ min: 0, max: 119 }), copies: fc.integer({ min: 1, max: 3 }), file: fc.integer({ min: 0, max: 3 }) });
    await fc.assert(
      fc.asyncProperty(fc.array(arrival, { minLength: 1, maxLength: 30 }), async (arrivals) => {
        await rm(join(lake, cleanedBeerTable.prefix), { recursive: true, force: true });
        const files = new Map<number, CleanedBeer[]>();
        for (const a of arrivals) {
          // The name records which arrival a row is: tied arrivals of an id share it.
          const row = { ...cleanedRowOf(beerById(a.id), new Date(base + a.minute * 60_000)), name: `beer ${a.id} at minute ${a.minute}` };
          files.set(a.file, [...(files.get(a.file) ?? []), ...Array<CleanedBeer>(a.copies).fill(row)]);
        }
        for (const [file, rows] of files) await writeLakeFile(lake, cleanedBeerTable, rows, { time: new Date(base + file * 1_800_000), id: `f${file}` });
        // The rule, outside SQL: per id, the greatest minute.
        const expected = [...new Set(arrivals.map((a) => a.id))]
          .sort((x, y) => x - y)
          .map((id) => ({ id, name: `beer ${id} at minute ${Math.max(...arrivals.filter((a) => a.id === id).map((a) => a.minute))}` }));
        expect((await open.query('select id, name from beers order by id')).rows).toEqual(expected);
      }),
      { numRuns: 25 },
    );
  });

  it('sees files delivered after it was opened, and a zone that was empty when it opened', async () => {
    const t = at('2024-01-01T00:00:00.000Z');
    engine = await openDuckDbLake(lake);
    expect((await engine.query('select count(*) as n from beers')).rows).toEqual([{ n: 0 }]);
    await writeLakeFile(lake, cleanedBeerTable, [cleanedRowOf(beerById(1), t)], { time: t, id: 'a' });
    expect((await engine.query('select count(*) as n from beers')).rows).toEqual([{ n: 1 }]);
    await writeLakeFile(lake, cleanedBeerTable, [cleanedRowOf(beerById(2), t)], { time: t, id: 'b' });
    expect((await engine.query('select count(*) as n from beers')).rows).toEqual([{ n: 2 }]);
  });

  it('skips writers’ staging files (dot-names, .tmp) and never reads the errors prefix', async () => {
    const t = at('2024-01-01T00:00:00.000Z');
    const delivered = await writeLakeFile(lake, cleanedBeerTable, [cleanedRowOf(beerById(1), t)], { time: t, id: 'a' });
    // Half-written files: reading either would fail the query.
    await writeFile(`${delivered}-b.tmp`, '{"id": 2, "na');
    await writeFile(join(dirname(delivered), '.cleaned-1-staging'), '{"id": 3, "na');
    await mkdir(join(lake, cleanedBeerTable.prefix, '.staging'), { recursive: true });
    await writeFile(join(lake, cleanedBeerTable.prefix, '.staging', 'cleaned-1-x'), '{"id": 4, "na');
    const failedKey = firehoseObjectKey({ prefix: processingFailedPrefix, deliveryStream: 'cleaned', time: t, id: 'c' });
    await mkdir(dirname(join(lake, failedKey)), { recursive: true });
    await writeFile(join(lake, failedKey), '{"rawData":"bm90IGEgYmVlcg==","errorMessage":"NotABeer"}\n');
    expect(failedKey.startsWith(errorsPrefix)).toBe(true);

    engine = await openDuckDbLake(lake);
    expect((await engine.query('select id from cleaned')).rows).toEqual([{ id: 1 }]);
    for (const table of lakeTables) expect(table.prefix.startsWith(errorsPrefix)).toBe(false);
  });

  it('reads raw records as collected, v2 and v3 shapes alike', async () => {
    const t = at('2024-01-01T00:00:00.000Z');
    const v2 = beerById(1);
    const { image_url, ...withoutImageUrl } = v2 as unknown as Record<string, unknown>;
    const v3 = { ...withoutImageUrl, id: 2, image: '2.png' };
    await writeLakeFile(lake, rawBeerTable, [v2, v3], { time: t, id: 'a' });
    engine = await openDuckDbLake(lake);
    const { rows } = await engine.query(
      `select id, image_url, image, ingredients.hops[1].name as first_hop, volume.unit as unit from raw order by id`,
    );
    expect(rows).toEqual([
      { id: 1, image_url, image: null, first_hop: v2.ingredients?.hops?.[0]?.name, unit: 'litres' },
      { id: 2, image_url: null, image: '2.png', first_hop: v2.ingredients?.hops?.[0]?.name, unit: 'litres' },
    ]);
  });

  it('converts types as the interface promises', async () => {
    engine = await openDuckDbLake(lake);
    const { rows, columns } = await engine.query(
      `select 42::integer as i, 9007199254740991::bigint as safe, 9007199254740993::bigint as unsafe, 2.5::double as d,
         1.25::decimal(5, 2) as dec, true as b, timestamp '2024-02-03 04:05:06.7' as ts, null::varchar as n,
         [1, 2] as l, {'a': 1, 'b': 'x'} as s, count(*) over () as c`,
    );
    expect(rows).toEqual([
      { i: 42, safe: 9007199254740991, unsafe: '9007199254740993', d: 2.5, dec: 1.25, b: true, ts: '2024-02-03 04:05:06.700', n: null, l: [1, 2], s: { a: 1, b: 'x' }, c: 1 },
    ]);
    expect(columns.map((c) => c.type)).toEqual(['INTEGER', 'BIGINT', 'BIGINT', 'DOUBLE', 'DECIMAL(5,2)', 'BOOLEAN', 'TIMESTAMP', 'VARCHAR', 'INTEGER[]', 'STRUCT("a" INTEGER, "b" VARCHAR)', 'BIGINT']);
  });

  it('rejects bad SQL with QueryFailed carrying the engine message and the SQL, and stays usable', async () => {
    engine = await openDuckDbLake(lake);
    const sql = 'select no_such_column from beers';
    const error = await engine.query(sql).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailed);
    expect(error).toMatchObject({ name: 'QueryFailed', engine: 'duckdb', sql });
    expect((error as Error).message).toMatch(/no_such_column/);
    expect((await engine.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it('fails loudly on a malformed delivered file instead of dropping its rows', async () => {
    const t = at('2024-01-01T00:00:00.000Z');
    const path = await writeLakeFile(lake, cleanedBeerTable, [], { time: t, id: 'a' });
    await writeFile(path, '{"id": "not a number"}\n');
    engine = await openDuckDbLake(lake);
    await expect(engine.query('select * from cleaned')).rejects.toBeInstanceOf(QueryFailed);
  });

  it('queues concurrent queries on its single connection', async () => {
    engine = await openDuckDbLake(lake);
    const results = await Promise.all([1, 2, 3, 4].map((n) => engine!.query(`select ${n} as n`)));
    expect(results.map((r) => r.rows[0]?.n)).toEqual([1, 2, 3, 4]);
  });

  // A statement that would run for minutes: only an interrupt ends it.
  const endless = 'select count(*) as n from range(1000000000000) as a(x) where x % 7 = 3';

  it('interrupts a statement past its time limit with QueryTimeout, and stays usable', async () => {
    engine = await openDuckDbLake(lake, { timeoutMs: 50 });
    const error = await engine.query(endless).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryTimeout);
    expect(error).toMatchObject({ name: 'QueryTimeout', engine: 'duckdb', sql: endless, timeoutMs: 50 });
    expect((await engine.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it('settles a running statement as QueryCancelled when closed, and refuses new ones', async () => {
    const closing = await openDuckDbLake(lake);
    const running = closing.query(endless).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 20));
    await closing.close();
    expect(await running).toBeInstanceOf(QueryCancelled);
    await expect(closing.query('select 1')).rejects.toBeInstanceOf(QueryCancelled);
  });
});

describe('the engine locked to the lake', () => {
  let outside: string;
  beforeEach(async () => {
    outside = await mkdtemp(join(tmpdir(), 'brewlake-outside-'));
    await writeFile(join(outside, 'secret.csv'), 'a,b\n1,2\n');
  });
  afterEach(() => rm(outside, { recursive: true, force: true }));

  it.each([
    ['read_csv of a file outside the lake', (o: string) => `select * from read_csv('${o}/secret.csv')`, /secret\.csv is outside the lake .*--allow-local-files/],
    ['/etc/passwd', () => `select * from read_csv('/etc/passwd')`, /\/etc\/passwd is outside the lake/],
    ['read_text', (o: string) => `select * from read_text('${o}/secret.csv')`, /outside the lake/],
    ['COPY … TO outside', (o: string) => `copy (select 1) to '${o}/out.csv'`, /refused: /],
    ['COPY … TO inside the lake', (_: string, l: string) => `copy (select 1) to '${l}/cleaned/x.json'`, /only reads .*COPY statement/],
    ['ATTACH inside the lake', (_: string, l: string) => `attach '${l}/x.db'`, /only reads .*ATTACH statement/],
    ['ATTACH outside', (o: string) => `attach '${o}/x.db'`, /refused: /],
    ['unlocking it', () => 'set enable_external_access = true', /only reads .*SET statement/],
    ['a write hidden after a read', (o: string) => `select 1; copy (select 1) to '${o}/out.csv'`, /refused: /],
    ['CREATE TABLE', () => 'create table t as select 1', /only reads .*CREATE statement/],
    ['INSTALL an extension', () => 'install httpfs', /refused: /],
    // EXPLAIN ANALYZE runs what it explains: every spelling of it, and every writing statement under it.
    ['EXPLAIN ANALYZE COPY … TO inside the lake', (_: string, l: string) => `explain analyze copy (select 1) to '${l}/cleaned/x.json'`, /EXPLAIN ANALYZE explains a COPY statement/],
    ['EXPLAIN ANALYZE COPY … TO outside', (o: string) => `EXPLAIN ANALYZE COPY (SELECT 1) TO '${o}/out.csv'`, /refused: /],
    ['EXPLAIN ANALYSE with a comment between', (_: string, l: string) => `explain /* ; */ analyse -- x\n copy (select 1) to '${l}/x.csv'`, /explains a COPY statement/],
    ['EXPLAIN (ANALYZE, FORMAT json) COPY', (_: string, l: string) => `explain (analyze, format json) copy (select 1) to '${l}/x.csv'`, /explains a COPY statement/],
    ['EXPLAIN ANALYZE SET', () => 'explain analyze set enable_external_access = true', /refused: /],
    ['EXPLAIN ANALYZE INSTALL', () => 'explain analyze install httpfs', /refused: /],
    ['EXPLAIN ANALYZE CREATE', () => 'explain analyze create table t as select 1', /explains a CREATE statement/],
    ['EXPLAIN ANALYZE COPY after a string holding ;', (_: string, l: string) => `select 'a;b'; explain analyze copy (select 1) to '${l}/x.csv'`, /explains a COPY statement/],
  ])('refuses %s with a clear message, and writes nothing', async (_, sqlOf, message) => {
    engine = await openDuckDbLake(lake);
    const sql = sqlOf(outside, lake);
    const error = await engine.query(sql).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryRefused);
    expect((error as Error).message).toMatch(message);
    expect((await readdir(outside)).sort()).toEqual(['secret.csv']);
    expect(await readdir(lake)).toEqual([]);
    // Still serving reads afterwards.
    expect((await engine.query('select count(*) as n from beers')).rows).toEqual([{ n: 0 }]);
  });

  it('reads local files only when asked to, and still refuses to write, to load extensions or to reach the network', async () => {
    engine = await openDuckDbLake(lake, { allowLocalFiles: true });
    expect((await engine.query(`select a, b from read_csv('${outside}/secret.csv')`)).rows).toEqual([{ a: 1, b: 2 }]);
    await expect(engine.query(`copy (select 1) to '${outside}/out.csv'`)).rejects.toThrow(/only reads .*COPY statement/);
    await expect(engine.query(`explain analyze copy (select 1) to '${outside}/out.csv'`)).rejects.toThrow(/explains a COPY statement/);
    await expect(engine.query('explain analyze install httpfs')).rejects.toBeInstanceOf(QueryRefused);
    // Refused by configuration, not by a failed download: nothing is fetched.
    const network = await engine.query(`select * from read_csv('https://example.com/beers.csv')`).catch((e: unknown) => e);
    expect((network as Error).message).not.toMatch(/download|Failed to (install|download)/i);
    expect((await readdir(outside)).sort()).toEqual(['secret.csv']);
  });

  it('still explains and profiles what only reads', async () => {
    engine = await openDuckDbLake(lake);
    expect((await engine.query('explain select count(*) from beers')).rows.length).toBeGreaterThan(0);
    expect((await engine.query('explain analyze select count(*) from beers')).rows.length).toBeGreaterThan(0);
    expect((await engine.query('explain (format json) select 1')).rows.length).toBeGreaterThan(0);
  });

  it('spills into a private folder, not the working directory, and removes it when closed', async () => {
    engine = await openDuckDbLake(lake);
    const [settings] = (await engine.query("select current_setting('temp_directory') as spill, current_setting('allowed_directories') as allowed")).rows as [{ spill: string; allowed: string[] }];
    expect(settings.spill.startsWith(tmpdir())).toBe(true);
    expect(settings.spill.startsWith(process.cwd())).toBe(false);
    expect([...settings.allowed].sort()).toEqual([`${lake}/`, `${settings.spill}/`].sort());
    await mkdir(settings.spill, { recursive: true });
    await engine.close();
    await expect(readdir(settings.spill)).rejects.toThrow(/ENOENT/);
  });

  it('answers every view and saved query on the locked engine', async () => {
    await writeLakeFile(lake, cleanedBeerTable, catalogue.map((b) => cleanedRowOf(b, at('2025-01-01T00:00:00Z'))), { time: at('2025-01-01T00:00:00Z'), id: 'a' });
    engine = await openDuckDbLake(lake);
    for (const table of [...lakeTables, beersView]) expect((await engine.query(`select count(*) as n from "${table.name}"`)).rows.length).toBe(1);
    for (const q of savedQueries()) expect((await engine.query(q.sql)).rows.length, q.name).toBeGreaterThan(0);
  });
});

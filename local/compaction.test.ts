/**
 * Compaction killed with SIGKILL at every kind of step (staged, committed, halfway through
 * the removals), of an hour and of a day, and rerun: the lake reads the same rows, once
 * each, at the moment of the kill and after the rerun; the rerun leaves one Parquet file per
 * closed hour of an open day, and one per closed day.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDbLake } from '../glue/duckdb';
import { tableWindowSql } from '../glue/table-window';
import { buildLakeCatalog } from '../glue/lake-catalog';
import { catalogFilePath } from '../glue/lake-folder';
import { compactedDayObjectName, compactedObjectName, dayFolder, hourFolder } from '../glue/layout';
import { cleanedBeerTable, rawBeerTable, type TableDefinition } from '../glue/schema';
import { catalogue, cleanedRowOf, writeLakeFile } from '../test/catalogue-lake';
import { compactableTables, compactLake, HourNotClosed, startBackgroundCompaction, ZoneNotCompactable, type CompactionResult } from './compaction';

const now = new Date('2024-06-02T00:30:00.000Z');
/** An hour after 2024-06-01 ended, when the whole day is closed. */
const dayClosed = new Date('2024-06-02T01:30:00.000Z');
const day = new Date('2024-06-01T00:00:00.000Z');
const hours = [new Date('2024-06-01T20:00:00.000Z'), new Date('2024-06-01T21:00:00.000Z'), new Date('2024-06-01T23:10:00.000Z')];
let seed: string;
const dirs: string[] = [];

/** Three hours of cleaned files (the last still open at `now`), with a beer delivered twice. */
beforeAll(async () => {
  seed = await mkdtemp(join(tmpdir(), 'brewlake-compact-seed-'));
  dirs.push(seed);
  let n = 0;
  for (const [h, time] of hours.entries()) {
    for (let f = 0; f < 3; f++) {
      const arrived = new Date(time.getTime() + f * 60_000);
      const beers = catalogue.slice(n, n + 20);
      n += 15; // overlapping slices: the same beer arrives again later, for the beers view to de-duplicate
      await writeLakeFile(seed, cleanedBeerTable, beers.map((b) => cleanedRowOf(b, arrived)), { time: arrived, id: `h${h}-f${f}` });
    }
  }
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function copyOfSeed(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'brewlake-compact-'));
  dirs.push(dir);
  await cp(seed, dir, { recursive: true });
  // The catalog lists paths under the lake's own folder name: the copy gets its own.
  await buildLakeCatalog(dir);
  return dir;
}

/** The lake through its catalog file, as the `duckdb` CLI reads it from the lake's parent folder. */
async function readCatalog(lakeDir: string) {
  const instance = await DuckDBInstance.create(catalogFilePath(lakeDir), { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    await connection.run(`set file_search_path = '${dirname(resolve(lakeDir))}'`);
    const count = (await connection.runAndReadAll('select count(*) as n, count(distinct id) as ids from cleaned')).getRowObjectsJson()[0];
    const beers = (await connection.runAndReadAll('select count(*) as n from beers')).getRowObjectsJson()[0];
    return { n: Number(count?.n), ids: Number(count?.ids), beers: Number(beers?.n) };
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

async function readLake(lakeDir: string) {
  const engine = await openDuckDbLake(lakeDir);
  try {
    const cleaned = await engine.query('select * from cleaned order by arrived_at, id');
    const beers = await engine.query('select * from beers order by id');
    const count = await engine.query('select count(*) as n from cleaned');
    return { cleaned: cleaned.rows, beers: beers.rows, count: count.rows[0]?.n };
  } finally {
    await engine.close();
  }
}

const filesOf = async (lakeDir: string, table: TableDefinition, hour: Date) => (await readdir(join(lakeDir, table.prefix, hourFolder(hour)))).sort();
/** Everything in a day folder, hour folders included (as `HH/name`). */
const dayContents = async (lakeDir: string, table: TableDefinition, time: Date) =>
  (await readdir(join(lakeDir, table.prefix, dayFolder(time)), { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => relative(join(lakeDir, table.prefix, dayFolder(time)), join(e.parentPath, e.name)))
    .sort();

function runCompactionProcess(lakeDir: string, killAtStep: number, at = now): Promise<{ signal: string | null; steps: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'compaction-process.fixture.ts')], {
    env: { ...process.env, LAKE_DIR: lakeDir, TABLES: 'cleaned', NOW: at.toISOString(), KILL_AT_STEP: String(killAtStep) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal === null) reject(new Error(`compaction process exited ${code}: ${err}`));
      else resolve({ signal, steps: out.split('\n').filter(Boolean).length });
    });
  });
}

describe('compactLake', () => {
  it('rewrites each closed hour into one Parquet file, leaves the open hour alone, and reads the same rows', async () => {
    const lake = await copyOfSeed();
    const before = await readLake(lake);
    expect(before.count).toBe(9 * 20);
    const [result] = await compactLake({ lakeDir: lake, tables: [cleanedBeerTable], now });
    expect(result).toMatchObject({ table: 'cleaned', hoursCompacted: 2, filesRemoved: 6, rowsWritten: 120 });
    expect(await filesOf(lake, cleanedBeerTable, hours[0]!)).toEqual([compactedObjectName(hours[0]!)]);
    expect(await filesOf(lake, cleanedBeerTable, hours[1]!)).toEqual([compactedObjectName(hours[1]!)]);
    expect((await filesOf(lake, cleanedBeerTable, hours[2]!)).length).toBe(3); // 23:xx is not closed at 00:30
    expect(await readLake(lake)).toEqual(before);
    // Idempotent: a second run changes nothing.
    const [again] = await compactLake({ lakeDir: lake, tables: [cleanedBeerTable], now });
    expect(again).toMatchObject({ hoursCompacted: 0, periodsFinished: 0, filesRemoved: 0 });
    expect(await readLake(lake)).toEqual(before);
  });

  it('refuses the raw zone, which keeps records as collected, naming it and the reason, and touches nothing', async () => {
    const lake = await copyOfSeed();
    const t = new Date('2024-06-01T10:00:00.000Z');
    // A field the schema does not declare: Parquet would drop it from the only copy.
    const raw = await writeLakeFile(lake, rawBeerTable, [{ ...(catalogue[0] as object), brewery_notes: 'kept as collected' }], { time: t, id: 'r' });
    const before = await readFile(raw, 'utf8');
    await expect(compactLake({ lakeDir: lake, tables: [rawBeerTable, cleanedBeerTable], now: dayClosed })).rejects.toThrow(ZoneNotCompactable);
    await expect(compactLake({ lakeDir: lake, tables: [rawBeerTable], now: dayClosed })).rejects.toThrow(/--zone raw: not compacted; it keeps records as collected/);
    expect(await readFile(raw, 'utf8')).toBe(before);
    expect((await filesOf(lake, cleanedBeerTable, hours[0]!)).length).toBe(3);
    expect(compactableTables.map((t) => t.name)).not.toContain('raw');
  });

  it('refuses --before an hour that is not closed, naming the option, and touches nothing', async () => {
    const lake = await copyOfSeed();
    await expect(compactLake({ lakeDir: lake, tables: [cleanedBeerTable], now, before: now })).rejects.toThrow(HourNotClosed);
    await expect(compactLake({ lakeDir: lake, tables: [cleanedBeerTable], now, before: now })).rejects.toThrow(/--before: .* not closed/);
    expect((await filesOf(lake, cleanedBeerTable, hours[0]!)).length).toBe(3);
  });

  it('runs in the background (serve/demo --compact): compacts at once, and stop() waits for the run', async () => {
    const lake = await copyOfSeed();
    const expected = await readLake(lake);
    const seen: (readonly CompactionResult[])[] = [];
    const background = startBackgroundCompaction({ lakeDir: lake, tables: [cleanedBeerTable], intervalMs: 60_000, onResult: (r) => seen.push(r), onError: (e) => seen.push([e as never]) });
    await background.stop();
    // The seeded day ended long before the real now: it is closed, and becomes one file.
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toMatchObject({ daysCompacted: 1, hoursCompacted: 0, rowsWritten: 180 });
    expect(await dayContents(lake, cleanedBeerTable, day)).toEqual([compactedDayObjectName(day)]);
    expect(await readLake(lake)).toEqual(expected);
  });

  // Steps: staged 1, committed 2 (first hour), staged 3, committed 4 (second hour), catalog 5,
  // removed-one 6..8 and done 9 (first hour), removed-one 10..12 and done 13 (second hour).
  it.each([
    ['after staging, before the rename', 1],
    ['right after the first rename (the commit)', 2],
    ['with both hours committed, before the catalog is rebuilt', 4],
    ['right after the catalog is rebuilt', 5],
    ['halfway through the removals', 7],
    ['halfway through the second hour s removals', 11],
  ])('killed %s: same rows once, then and after a rerun', { timeout: 60_000 }, async (_what, killAt) => {
    const lake = await copyOfSeed();
    const expected = await readLake(lake);
    const expectedInCatalog = await readCatalog(lake);
    expect(expectedInCatalog).toEqual({ n: 180, ids: expected.beers.length, beers: expected.beers.length });
    const killed = await runCompactionProcess(lake, killAt);
    expect(killed).toEqual({ signal: 'SIGKILL', steps: killAt });
    expect(await readLake(lake)).toEqual(expected);
    expect(await readCatalog(lake)).toEqual(expectedInCatalog);
    await compactLake({ lakeDir: lake, tables: [cleanedBeerTable], now });
    expect(await readLake(lake)).toEqual(expected);
    expect(await readCatalog(lake)).toEqual(expectedInCatalog);
    for (const hour of hours.slice(0, 2)) expect(await filesOf(lake, cleanedBeerTable, hour)).toEqual([compactedObjectName(hour)]);
  });

  it('rewrites a closed day, hours already compacted or not, into one file in the day folder; its hour folders go', async () => {
    const lake = await copyOfSeed();
    const expected = await readLake(lake);
    const expectedInCatalog = await readCatalog(lake);
    // First the two closed hours of the open day, then, once the day is closed, the day.
    await compactLake({ lakeDir: lake, tables: [cleanedBeerTable], now });
    const [result] = await compactLake({ lakeDir: lake, tables: [cleanedBeerTable], now: dayClosed });
    expect(result).toMatchObject({ daysCompacted: 1, hoursCompacted: 0, rowsWritten: 180, filesRemoved: 5 }); // 2 compacted hours + 3 files of 23:xx
    expect(await dayContents(lake, cleanedBeerTable, day)).toEqual([compactedDayObjectName(day)]);
    expect(await readdir(join(lake, cleanedBeerTable.prefix, dayFolder(day)))).toEqual([compactedDayObjectName(day)]);
    expect(await readLake(lake)).toEqual(expected);
    expect(await readCatalog(lake)).toEqual(expectedInCatalog);
    const [again] = await compactLake({ lakeDir: lake, tables: [cleanedBeerTable], now: dayClosed });
    expect(again).toMatchObject({ daysCompacted: 0, hoursCompacted: 0, periodsFinished: 0, filesRemoved: 0 });
    expect(await readLake(lake)).toEqual(expected);
  });

  it('a window over a compacted day reads the day file and nothing of other days: the same rows as before', async () => {
    const lake = await copyOfSeed();
    // The next day's first hour, unreadable: a window on 2024-06-01 must not open it.
    const poisoned = join(lake, cleanedBeerTable.prefix, hourFolder(new Date('2024-06-02T00:00:00Z')));
    await mkdir(poisoned, { recursive: true });
    await writeFile(join(poisoned, 'cleaned-1-poison'), '{"id": "not json at all\n');
    const inWindow = async () => {
      const engine = await openDuckDbLake(lake, { tables: [] });
      try {
        const relation = await tableWindowSql(engine, cleanedBeerTable, { from: new Date('2024-06-01T20:30:00Z'), to: new Date('2024-06-01T22:00:00Z') });
        return (await engine.query(`select id, arrived_at from ${relation} as w where arrived_at >= timestamp '2024-06-01 20:30:00' and arrived_at < timestamp '2024-06-01 22:00:00' order by arrived_at, id`)).rows;
      } finally {
        await engine.close();
      }
    };
    const expected = await inWindow();
    expect(expected).toHaveLength(60); // the 21:00 hour's three files; 20:xx arrived before 20:30
    await compactLake({ lakeDir: lake, tables: [cleanedBeerTable], now: dayClosed, before: new Date('2024-06-02T00:00:00Z') });
    expect(await dayContents(lake, cleanedBeerTable, day)).toEqual([compactedDayObjectName(day)]);
    expect(await inWindow()).toEqual(expected);
  });

  // Steps of the day (9 files): staged 1, committed 2, catalog 3, removed-one 4..12, done 13.
  it.each([
    ['after staging, before the rename', 1],
    ['right after the rename (the commit)', 2],
    ['right after the catalog is rebuilt', 3],
    ['halfway through the removals', 8],
    ['before the last removal', 11],
  ])('a day killed %s: same rows once, then and after a rerun', { timeout: 60_000 }, async (_what, killAt) => {
    const lake = await copyOfSeed();
    const expected = await readLake(lake);
    const expectedInCatalog = await readCatalog(lake);
    const killed = await runCompactionProcess(lake, killAt, dayClosed);
    expect(killed).toEqual({ signal: 'SIGKILL', steps: killAt });
    expect(await readLake(lake)).toEqual(expected);
    expect(await readCatalog(lake)).toEqual(expectedInCatalog);
    const [rerun] = await compactLake({ lakeDir: lake, tables: [cleanedBeerTable], now: dayClosed });
    expect(rerun!.daysCompacted + rerun!.periodsFinished).toBe(1);
    expect(await readLake(lake)).toEqual(expected);
    expect(await readCatalog(lake)).toEqual(expectedInCatalog);
    expect(await dayContents(lake, cleanedBeerTable, day)).toEqual([compactedDayObjectName(day)]);
  });
});

/**
 * Compaction killed with SIGKILL at every kind of step (staged, committed, halfway through
 * the removals) and rerun: the lake reads the same rows, once each, at the moment of the
 * kill and after the rerun; the rerun leaves one Parquet file per closed hour.
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDbLake } from '../glue/duckdb';
import { buildLakeCatalog } from '../glue/lake-catalog';
import { catalogFilePath } from '../glue/lake-folder';
import { compactedObjectName, hourFolder } from '../glue/layout';
import { cleanedBeerTable, type TableDefinition } from '../glue/schema';
import { catalogue, cleanedRowOf, writeLakeFile } from '../test/catalogue-lake';
import { compactLake, HourNotClosed, startBackgroundCompaction, type CompactionResult } from './compaction';

const now = new Date('2024-06-02T00:30:00.000Z');
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

function runCompactionProcess(lakeDir: string, killAtStep: number): Promise<{ signal: string | null; steps: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'compaction-process.fixture.ts')], {
    env: { ...process.env, LAKE_DIR: lakeDir, TABLES: 'cleaned', NOW: now.toISOString(), KILL_AT_STEP: String(killAtStep) },
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
    expect(again).toMatchObject({ hoursCompacted: 0, hoursFinished: 0, filesRemoved: 0 });
    expect(await readLake(lake)).toEqual(before);
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
    // Every seeded hour ended long before the real now: all three are closed.
    expect(seen).toHaveLength(1);
    expect(seen[0]![0]).toMatchObject({ hoursCompacted: 3, rowsWritten: 180 });
    for (const hour of hours) expect(await filesOf(lake, cleanedBeerTable, hour)).toEqual([compactedObjectName(hour)]);
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
});

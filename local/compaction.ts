/**
 * Compaction, in two levels, so the number of files a reader opens stays small as the lake
 * ages (DuckDB pays per file opened, as Athena pays per object):
 * - every CLOSED hour of a zone, however many files Firehose delivered into it (JSON lines,
 *   or Parquet it converted), becomes one Parquet file in the hour folder,
 *   `compacted-YYYY-MM-DD-HH.parquet`;
 * - every CLOSED day, whatever its hours hold (delivered files or compacted hours), becomes
 *   one Parquet file in the day folder, `compacted-YYYY-MM-DD.parquet`, and its hour folders
 *   go. A month of hours is then 30 files, not 720.
 *
 * Atomic for readers, safe across a crash, idempotent, in three steps per period:
 *   1. write the Parquet file under a staging name readers skip (`.compacted-….tmp`);
 *   2. fsync it and rename it into place (the commit point: from here on, readers read the
 *      period from this file alone, glue/lake-files);
 *   3. remove the files it replaced, then fsync the folder.
 * Killed before 2: the period is still its original files; the staging file is removed by
 * the next run. Killed during 3: the leftover originals are already hidden by the compacted
 * file; the next run removes them. So at every instant each row is read exactly once, and a
 * rerun converges on the same files.
 *
 * Closed: no file can still arrive in the period. Firehose keys a file by its delivery time
 * and buffers at most 900 s, so an hour (a day) that ended more than `closedAfterMs`
 * (default one hour) ago gets no more files.
 */
import { randomUUID } from 'node:crypto';
import { readdir, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { filesToRead, listTablePeriods, type PeriodFiles } from '../glue/lake-files';
import { compactedDayObjectName, compactedObjectName, dayFolderOf, dayOfFolder, hourOfFolder } from '../glue/layout';
import { buildLakeCatalog } from '../glue/lake-catalog';
import { openParquetWriter, type ParquetWriter } from '../glue/parquet-files';
import { lakeTables, rawBeerTable, type TableDefinition } from '../glue/schema';
import { publishFileDurably, syncFolder } from './firehose/durable-file';

/** How long after its end an hour counts as closed (Firehose buffers at most 900 s; a margin on top). */
export const defaultClosedAfterMs = 3_600_000;

/** The steps of a run, in order; a test stops the process at any of them. */
export type CompactionStep = 'staged' | 'committed' | 'catalog' | 'removed-one' | 'done';

export interface CompactionOptions {
  readonly lakeDir: string;
  readonly tables: readonly TableDefinition[];
  /** Only hours (days) that END at or before this instant. Default: now − `closedAfterMs`. */
  readonly before?: Date;
  readonly now?: Date;
  readonly closedAfterMs?: number;
  /** Called after each step (fault injection in tests; progress otherwise). */
  readonly onStep?: (step: CompactionStep, table: string, folder: string) => void | Promise<void>;
}

export interface CompactionResult {
  readonly table: string;
  /** Hours of still-open days rewritten into one Parquet file each by this run. */
  readonly hoursCompacted: number;
  /** Closed days rewritten into one Parquet file each by this run. */
  readonly daysCompacted: number;
  /** Hours or days an interrupted run had committed, whose leftover files this run removed. */
  readonly periodsFinished: number;
  readonly filesRemoved: number;
  readonly rowsWritten: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

/**
 * The zones compaction rewrites: every table but `raw`. Raw keeps each record as it was
 * collected, and a Parquet file holds only the columns the schema declares: a field the
 * source added, or a value of an unexpected type, would be gone from the only copy.
 */
export const compactableTables: readonly TableDefinition[] = lakeTables.filter((t) => t !== rawBeerTable);

/** A zone compaction must not rewrite (raw), named with the reason. */
export class ZoneNotCompactable extends RangeError {
  override readonly name = 'ZoneNotCompactable';
}

/** `--before` later than the last closed hour: compacting it could hide a file still to come. */
export class HourNotClosed extends RangeError {
  override readonly name = 'HourNotClosed';
}

/** A period whose compacted file is in place, and the files it replaced, still to remove. */
interface Committed {
  readonly table: string;
  readonly folder: string;
  readonly folderPath: string;
  readonly replaced: readonly string[];
}

type Tally = { -readonly [K in keyof CompactionResult]: CompactionResult[K] };

/**
 * Runs in three phases, so the lake's catalog file (glue/lake-catalog, which lists files by
 * name) is valid throughout too: (1) every closed period staged and renamed into place;
 * (2) the catalog rebuilt, now listing the compacted files; (3) the replaced files removed.
 * Until (2) the old catalog lists files that all still exist.
 */
export async function compactLake(options: CompactionOptions): Promise<CompactionResult[]> {
  const now = options.now ?? new Date();
  const refused = options.tables.find((t) => !compactableTables.includes(t));
  if (refused) throw new ZoneNotCompactable(`--zone ${refused.name}: not compacted; it keeps records as collected, and Parquet would keep only the schema's columns (zones: ${compactableTables.map((t) => t.name).join(', ')})`);
  const closedBefore = new Date(now.getTime() - (options.closedAfterMs ?? defaultClosedAfterMs));
  const before = options.before ?? closedBefore;
  if (!Number.isFinite(before.getTime())) throw new HourNotClosed('--before: not a valid time');
  if (before.getTime() > closedBefore.getTime()) {
    throw new HourNotClosed(`--before: ${before.toISOString()} is later than ${closedBefore.toISOString()}; hours ending after that are not closed yet (files may still arrive)`);
  }
  const results = new Map<string, Tally>();
  const committed: Committed[] = [];
  const writer = await openParquetWriter();
  try {
    for (const table of options.tables) {
      const result = { table: table.name, hoursCompacted: 0, daysCompacted: 0, periodsFinished: 0, filesRemoved: 0, rowsWritten: 0, bytesBefore: 0, bytesAfter: 0 };
      results.set(table.name, result);
      await commitClosedPeriods(table, before, options, writer, result, committed);
    }
  } finally {
    writer.close();
  }
  if (committed.length === 0) return [...results.values()];
  await buildLakeCatalog(options.lakeDir);
  await options.onStep?.('catalog', '', '');
  for (const period of committed) {
    for (const file of period.replaced) {
      await rm(file, { force: true });
      await options.onStep?.('removed-one', period.table, period.folder);
    }
    // A compacted day's hour folders are empty now: gone, so listings stay one entry a day.
    for (const folder of new Set(period.replaced.map(dirname))) if (folder !== period.folderPath) await rmdir(folder).catch(() => undefined);
    await syncFolder(period.folderPath);
    results.get(period.table)!.filesRemoved += period.replaced.length;
    await options.onStep?.('done', period.table, period.folder);
  }
  return [...results.values()];
}

/** Stages and commits every closed period of `table`: whole days when closed, else their closed hours. */
async function commitClosedPeriods(table: TableDefinition, before: Date, options: CompactionOptions, writer: ParquetWriter, result: Tally, committed: Committed[]): Promise<void> {
  const byDay = new Map<string, PeriodFiles[]>();
  for (const period of await listTablePeriods(options.lakeDir, table)) {
    const day = dayFolderOf(period.folder);
    if (!dayOfFolder(day)) continue; // files outside the hour layout are no period
    byDay.set(day, [...(byDay.get(day) ?? []), period]);
  }
  const commit = async (folder: string, name: string, periods: readonly PeriodFiles[]) => {
    const folderPath = join(options.lakeDir, table.prefix, folder);
    for (const f of new Set([folder, ...periods.map((p) => p.folder)])) await removeStagingFiles(join(options.lakeDir, table.prefix, f));
    const sources = periods.flatMap((p) => [...p.json, ...p.parquet]);
    result.bytesBefore += await totalBytes(sources);
    const staging = join(folderPath, `.${name}.${randomUUID()}.tmp`);
    result.rowsWritten += await writeStaged(writer, table, periods, staging);
    await options.onStep?.('staged', table.name, folder);
    await publishFileDurably(staging, join(folderPath, name));
    result.bytesAfter += (await stat(join(folderPath, name))).size;
    committed.push({ table: table.name, folder, folderPath, replaced: [...sources, ...periods.flatMap((p) => p.superseded)] });
    await options.onStep?.('committed', table.name, folder);
  };
  const finish = (period: PeriodFiles) => {
    // Committed by a run that was killed before it removed what the file replaced.
    if (period.superseded.length === 0) return;
    committed.push({ table: table.name, folder: period.folder, folderPath: join(options.lakeDir, table.prefix, period.folder), replaced: period.superseded });
    result.periodsFinished++;
  };
  for (const [day, periods] of byDay) {
    const start = dayOfFolder(day)!;
    const compactedDay = periods.find((p) => p.folder === day && p.compacted);
    if (compactedDay) {
      finish(compactedDay);
      continue;
    }
    if (start.getTime() + 24 * 3_600_000 <= before.getTime()) {
      await commit(day, compactedDayObjectName(start), periods);
      result.daysCompacted++;
      continue;
    }
    for (const period of periods) {
      const hour = hourOfFolder(period.folder);
      if (!hour || hour.getTime() + 3_600_000 > before.getTime()) continue;
      if (period.compacted) finish(period);
      else {
        await commit(period.folder, compactedObjectName(hour), [period]);
        result.hoursCompacted++;
      }
    }
  }
}

async function writeStaged(writer: ParquetWriter, table: TableDefinition, periods: readonly PeriodFiles[], staging: string): Promise<number> {
  try {
    return await writer.write(table, filesToRead(periods), staging, 'zstd');
  } catch (error) {
    await rm(staging, { force: true });
    throw error;
  }
}

/** Staging files of a run that was killed before its rename: never read, never committed. */
async function removeStagingFiles(folderPath: string): Promise<void> {
  for (const name of await readdir(folderPath).catch(() => [] as string[])) {
    if (name.startsWith('.compacted-') && name.endsWith('.tmp')) await rm(join(folderPath, name), { force: true });
  }
}

async function totalBytes(files: readonly string[]): Promise<number> {
  let total = 0;
  for (const file of files) total += (await stat(file)).size;
  return total;
}

export interface BackgroundCompaction {
  /** Stops the loop, waiting for a run in progress (a killed run is safe too; a finished one is tidier). */
  stop(): Promise<void>;
}

/**
 * Compacts the lake now and then every `intervalMs` (default ten minutes) until stopped:
 * what `serve --compact` and `demo --compact` run beside their own work. A failed run is
 * reported and the next one tries again; it never stops the command it runs in.
 */
export function startBackgroundCompaction(options: Omit<CompactionOptions, 'before' | 'now'> & {
  intervalMs?: number;
  onResult?: (results: readonly CompactionResult[]) => void;
  onError?: (error: unknown) => void;
}): BackgroundCompaction {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const runOnce = () => {
    running = compactLake(options).then(
      (results) => options.onResult?.(results),
      (error: unknown) => options.onError?.(error),
    );
  };
  runOnce();
  const timer = setInterval(() => {
    if (!stopped) running = running.then(runOnce);
  }, options.intervalMs ?? 600_000);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}

/** One readable line per zone: what a run did. */
export function describeCompaction(result: CompactionResult): string {
  const mb = (b: number) => `${(b / 1_048_576).toFixed(1)} MB`;
  const finished = result.periodsFinished > 0 ? `, ${result.periodsFinished} interrupted periods finished` : '';
  const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  return `${result.table}: ${count(result.daysCompacted, 'day')}, ${count(result.hoursCompacted, 'hour')} compacted (${result.rowsWritten} rows, ${mb(result.bytesBefore)} → ${mb(result.bytesAfter)})${finished}, ${result.filesRemoved} files removed`;
}

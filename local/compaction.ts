/**
 * Compaction: every CLOSED hour of a zone, however many files Firehose delivered into it
 * (JSON lines, or Parquet it converted), rewritten as one Parquet file in the same hour
 * folder, `compacted-YYYY-MM-DD-HH.parquet`.
 *
 * Atomic for readers, safe across a crash, idempotent, in three steps per hour:
 *   1. write the Parquet file under a staging name readers skip (`.compacted-….tmp`);
 *   2. fsync it and rename it into place (the commit point: from here on, readers read the
 *      hour from this file alone, glue/lake-files);
 *   3. remove the files it replaced, then fsync the folder.
 * Killed before 2: the hour is still its original files; the staging file is removed by the
 * next run. Killed during 3: the leftover originals are already hidden by the compacted
 * file; the next run removes them. So at every instant each row of the hour is read exactly
 * once, and a rerun converges on the same files.
 *
 * Closed: no file can still arrive in the hour. Firehose keys a file by its delivery time
 * and buffers at most 900 s, so an hour that ended more than `closedAfterMs` (default one
 * hour) ago gets no more files.
 */
import { randomUUID } from 'node:crypto';
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { listTableHours, type HourFiles } from '../glue/lake-files';
import { compactedObjectName, hourOfFolder } from '../glue/layout';
import { buildLakeCatalog } from '../glue/lake-catalog';
import { openParquetWriter, type ParquetWriter } from '../glue/parquet-files';
import type { TableDefinition } from '../glue/schema';
import { publishFileDurably, syncFolder } from './firehose/durable-file';

/** How long after its end an hour counts as closed (Firehose buffers at most 900 s; a margin on top). */
export const defaultClosedAfterMs = 3_600_000;

/** The steps of a run, in order; a test stops the process at any of them. */
export type CompactionStep = 'staged' | 'committed' | 'catalog' | 'removed-one' | 'done';

export interface CompactionOptions {
  readonly lakeDir: string;
  readonly tables: readonly TableDefinition[];
  /** Only hours that END at or before this instant. Default: now − `closedAfterMs`. */
  readonly before?: Date;
  readonly now?: Date;
  readonly closedAfterMs?: number;
  /** Called after each step (fault injection in tests; progress otherwise). */
  readonly onStep?: (step: CompactionStep, table: string, folder: string) => void | Promise<void>;
}

export interface CompactionResult {
  readonly table: string;
  /** Hours rewritten into one Parquet file by this run. */
  readonly hoursCompacted: number;
  /** Hours an interrupted run had committed, whose leftover files this run removed. */
  readonly hoursFinished: number;
  readonly filesRemoved: number;
  readonly rowsWritten: number;
  readonly bytesBefore: number;
  readonly bytesAfter: number;
}

/** `--before` later than the last closed hour: compacting it could hide a file still to come. */
export class HourNotClosed extends RangeError {
  override readonly name = 'HourNotClosed';
}

/** An hour whose compacted file is in place, and the files it replaced, still to remove. */
interface Committed {
  readonly table: string;
  readonly folder: string;
  readonly folderPath: string;
  readonly replaced: readonly string[];
}

/**
 * Runs in three phases, so the lake's catalog file (glue/lake-catalog, which lists files by
 * name) is valid throughout too: (1) every closed hour staged and renamed into place;
 * (2) the catalog rebuilt, now listing the compacted files; (3) the replaced files removed.
 * Until (2) the old catalog lists files that all still exist.
 */
export async function compactLake(options: CompactionOptions): Promise<CompactionResult[]> {
  const now = options.now ?? new Date();
  const closedBefore = new Date(now.getTime() - (options.closedAfterMs ?? defaultClosedAfterMs));
  const before = options.before ?? closedBefore;
  if (!Number.isFinite(before.getTime())) throw new HourNotClosed('--before: not a valid time');
  if (before.getTime() > closedBefore.getTime()) {
    throw new HourNotClosed(`--before: ${before.toISOString()} is later than ${closedBefore.toISOString()}; hours ending after that are not closed yet (files may still arrive)`);
  }
  const results = new Map<string, { -readonly [K in keyof CompactionResult]: CompactionResult[K] }>();
  const committed: Committed[] = [];
  const writer = await openParquetWriter();
  try {
    for (const table of options.tables) {
      const result = { table: table.name, hoursCompacted: 0, hoursFinished: 0, filesRemoved: 0, rowsWritten: 0, bytesBefore: 0, bytesAfter: 0 };
      results.set(table.name, result);
      await commitClosedHours(table, before, options, writer, result, committed);
    }
  } finally {
    writer.close();
  }
  if (committed.length === 0) return [...results.values()];
  await buildLakeCatalog(options.lakeDir);
  await options.onStep?.('catalog', '', '');
  for (const hour of committed) {
    for (const file of hour.replaced) {
      await rm(file, { force: true });
      await options.onStep?.('removed-one', hour.table, hour.folder);
    }
    await syncFolder(hour.folderPath);
    results.get(hour.table)!.filesRemoved += hour.replaced.length;
    await options.onStep?.('done', hour.table, hour.folder);
  }
  return [...results.values()];
}

async function commitClosedHours(
  table: TableDefinition,
  before: Date,
  options: CompactionOptions,
  writer: ParquetWriter,
  result: { hoursCompacted: number; hoursFinished: number; rowsWritten: number; bytesBefore: number; bytesAfter: number },
  committed: Committed[],
): Promise<void> {
  for (const hour of await listTableHours(options.lakeDir, table)) {
    const start = hourOfFolder(hour.folder);
    if (!start || start.getTime() + 3_600_000 > before.getTime()) continue;
    const folderPath = join(options.lakeDir, table.prefix, hour.folder);
    await removeStagingFiles(folderPath);
    if (hour.compacted) {
      // Committed by a run that was killed before it removed what the file replaced.
      if (hour.superseded.length === 0) continue;
      committed.push({ table: table.name, folder: hour.folder, folderPath, replaced: hour.superseded });
      result.hoursFinished++;
      continue;
    }
    const sources = [...hour.json, ...hour.parquet];
    result.bytesBefore += await totalBytes(sources);
    const name = compactedObjectName(start);
    const staging = join(folderPath, `.${name}.${randomUUID()}.tmp`);
    result.rowsWritten += await writeStaged(writer, table, hour, staging);
    await options.onStep?.('staged', table.name, hour.folder);
    await publishFileDurably(staging, join(folderPath, name));
    result.bytesAfter += (await stat(join(folderPath, name))).size;
    committed.push({ table: table.name, folder: hour.folder, folderPath, replaced: sources });
    result.hoursCompacted++;
    await options.onStep?.('committed', table.name, hour.folder);
  }
}

async function writeStaged(writer: ParquetWriter, table: TableDefinition, hour: HourFiles, staging: string): Promise<number> {
  try {
    return await writer.write(table, hour, staging, 'zstd');
  } catch (error) {
    await rm(staging, { force: true });
    throw error;
  }
}

/** Staging files of a run that was killed before its rename: never read, never committed. */
async function removeStagingFiles(folderPath: string): Promise<void> {
  for (const name of await readdir(folderPath)) {
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
  const finished = result.hoursFinished > 0 ? `, ${result.hoursFinished} interrupted hours finished` : '';
  return `${result.table}: ${result.hoursCompacted} hours compacted (${result.rowsWritten} rows, ${mb(result.bytesBefore)} → ${mb(result.bytesAfter)})${finished}, ${result.filesRemoved} files removed`;
}

/**
 * Which files of the lake folder belong to a table: every delivered object under the
 * table's prefix (Firehose's `<prefix>YYYY/MM/DD/HH/<stream>-1-…`, which has no extension
 * as JSON lines and a `.parquet` suffix when Firehose converted it), and nothing a writer
 * has not finished. Writers stage a file under a dot-name or a `.tmp` suffix and rename it
 * into place, so those are skipped: reading half a file would fail the whole query.
 *
 * Compaction (local/compaction) replaces a closed hour's files by one Parquet file named
 * `compacted-YYYY-MM-DD-HH.parquet` in the same hour folder, and a closed day's files (in all
 * its hour folders) by one named `compacted-YYYY-MM-DD.parquet` in the day folder: renamed
 * into place first, the files it replaces removed after. So an hour folder holding its
 * compacted file IS that file, a day folder holding its compacted file IS that file (its
 * hour folders are read no more), and any other file still there (left by a crash between
 * the rename and the removals) is never read: no row is ever read twice, or not at all.
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { dayFolderOf, dayOfFolder, isCompactedDayObjectName, isCompactedObjectName, parquetSuffix } from './layout';
import type { TableDefinition } from './schema';

/** False for a writer's staging file: a dot-name (file or folder) or a `.tmp` suffix. */
export function isDeliveredObjectName(name: string): boolean {
  return !name.startsWith('.') && !name.endsWith('.tmp');
}

/**
 * The files of one period a reader reads, by format; absolute paths, sorted. A period is an
 * hour folder, or a day folder holding its compacted day file (the whole day in one file).
 */
export interface PeriodFiles {
  /** Lake-table-relative folder: `YYYY/MM/DD/HH/` (an hour), `YYYY/MM/DD/` (a compacted day, or files outside any hour), `` (outside the layout). */
  readonly folder: string;
  readonly json: readonly string[];
  readonly parquet: readonly string[];
  /** The compacted file, when the period has one (then `parquet` is exactly it and `json` is empty). */
  readonly compacted?: string;
  /** Files a compacted file already holds, left by an interrupted compaction: never read. */
  readonly superseded: readonly string[];
}

/** A table's files to read, by format; absolute paths, sorted. */
export interface TableFiles {
  readonly json: readonly string[];
  readonly parquet: readonly string[];
}

const baseName = (path: string) => path.slice(path.lastIndexOf(sep) + 1);
const byFolder = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A table's delivered files grouped by period, oldest first. Given `hourFolders` (from
 * glue/layout's `hourFoldersInWindow`), only those folders and their days' compacted files
 * are read: a window touches its own hours (or the days holding them) and nothing else.
 */
export async function listTablePeriods(lakeDir: string, table: TableDefinition, hourFolders?: readonly string[]): Promise<PeriodFiles[]> {
  const root = join(lakeDir, table.prefix);
  if (hourFolders) return listWindowPeriods(root, hourFolders);
  // One recursive listing: a lake of years of hours is thousands of folders.
  const filesByFolder = new Map<string, string[]>();
  for (const entry of await readNames(root, true)) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const parts = relative(root, path).split(sep);
    if (!parts.every(isDeliveredObjectName)) continue;
    const folder = parts.length > 1 ? `${parts.slice(0, -1).join('/')}/` : '';
    const files = filesByFolder.get(folder);
    if (files) files.push(path);
    else filesByFolder.set(folder, [path]);
  }
  // A compacted day swallows every folder below it.
  const compactedDays = new Map<string, string>();
  for (const [folder, files] of filesByFolder) {
    const dayFile = dayOfFolder(folder) && files.filter((f) => isCompactedDayObjectName(baseName(f))).sort().at(-1);
    if (dayFile) compactedDays.set(folder, dayFile);
  }
  const periods = new Map<string, PeriodFiles>();
  for (const [folder, files] of [...filesByFolder].sort(byFolder)) {
    const day = dayFolderOf(folder);
    const dayFile = compactedDays.get(day);
    if (dayFile === undefined) {
      periods.set(folder, periodOf(folder, files.sort()));
      continue;
    }
    const dayPeriod = periods.get(day) ?? { folder: day, json: [], parquet: [dayFile], compacted: dayFile, superseded: [] };
    periods.set(day, { ...dayPeriod, superseded: [...dayPeriod.superseded, ...files.filter((f) => f !== dayFile).sort()] });
  }
  return [...periods.values()];
}

/** The periods holding the given hour folders: each folder's day once if it is compacted, else the folder. */
async function listWindowPeriods(root: string, hourFolders: readonly string[]): Promise<PeriodFiles[]> {
  const dayFiles = new Map<string, string | undefined>();
  const periods = new Map<string, PeriodFiles>();
  for (const hour of hourFolders) {
    const day = dayFolderOf(hour);
    if (!dayFiles.has(day)) {
      const names = (await readNames(join(root, day))).filter((e) => e.isFile() && isCompactedDayObjectName(e.name)).map((e) => e.name);
      dayFiles.set(day, names.sort().at(-1));
    }
    const dayFile = dayFiles.get(day);
    if (dayFile !== undefined) {
      const path = join(root, day, dayFile);
      periods.set(day, { folder: day, json: [], parquet: [path], compacted: path, superseded: [] });
      continue;
    }
    const names = await readNames(join(root, hour));
    const files = names.filter((e) => e.isFile() && isDeliveredObjectName(e.name)).map((e) => join(root, hour, e.name));
    if (files.length > 0) periods.set(hour, periodOf(hour, files.sort()));
  }
  return [...periods.entries()].sort(byFolder).map(([, period]) => period);
}

function periodOf(folder: string, files: readonly string[]): PeriodFiles {
  const compacted = files.filter((f) => isCompactedObjectName(baseName(f))).at(-1);
  if (compacted) return { folder, json: [], parquet: [compacted], compacted, superseded: files.filter((f) => f !== compacted) };
  return {
    folder,
    json: files.filter((f) => !f.endsWith(parquetSuffix)),
    parquet: files.filter((f) => f.endsWith(parquetSuffix)),
    superseded: [],
  };
}

/** The files a reader reads from the given periods, by format. */
export function filesToRead(periods: readonly PeriodFiles[]): TableFiles {
  return { json: periods.flatMap((p) => p.json), parquet: periods.flatMap((p) => p.parquet) };
}

/** Every file of a table a reader reads (compacted periods as their one file), by format. */
export async function listTableFiles(lakeDir: string, table: TableDefinition, hourFolders?: readonly string[]): Promise<TableFiles> {
  return filesToRead(await listTablePeriods(lakeDir, table, hourFolders));
}

async function readNames(dir: string, recursive = false) {
  try {
    return await readdir(dir, { withFileTypes: true, recursive });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // ENOTDIR: a file where a folder would be is no folder of the layout.
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}

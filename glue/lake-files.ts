/**
 * Which files of the lake folder belong to a table: every delivered object under the
 * table's prefix (Firehose's `<prefix>YYYY/MM/DD/HH/<stream>-1-…`, which has no extension
 * as JSON lines and a `.parquet` suffix when Firehose converted it), and nothing a writer
 * has not finished. Writers stage a file under a dot-name or a `.tmp` suffix and rename it
 * into place, so those are skipped: reading half a file would fail the whole query.
 *
 * Compaction (cli/compact) replaces a closed hour's files by one Parquet file named
 * `compacted-YYYY-MM-DD-HH.parquet` in the same folder: renamed into place first, the
 * files it replaces removed after. So an hour folder holding that file IS that file, and
 * any other file still beside it (left by a crash between the rename and the removals)
 * is read no more: no hour is ever read twice, or not at all.
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isCompactedObjectName, parquetSuffix } from './layout';
import type { TableDefinition } from './schema';

/** False for a writer's staging file: a dot-name (file or folder) or a `.tmp` suffix. */
export function isDeliveredObjectName(name: string): boolean {
  return !name.startsWith('.') && !name.endsWith('.tmp');
}

/** The files of one hour folder a reader reads, by format; absolute paths, sorted. */
export interface HourFiles {
  /** Lake-table-relative folder, `YYYY/MM/DD/HH/` (empty for files outside the hour layout). */
  readonly folder: string;
  readonly json: readonly string[];
  readonly parquet: readonly string[];
  /** The compacted file, when the hour has one (then `parquet` is exactly it and `json` is empty). */
  readonly compacted?: string;
  /** Files a compacted file already holds, left by an interrupted compaction: never read. */
  readonly superseded: readonly string[];
}

/** A table's files to read, by format; absolute paths, sorted. */
export interface TableFiles {
  readonly json: readonly string[];
  readonly parquet: readonly string[];
}

/**
 * A table's delivered files grouped by hour folder, oldest first. Given `folders` (from
 * glue/layout's `hourFoldersInWindow`), only those folders are read: a window touches
 * its own hours and nothing else of the lake.
 */
export async function listTableHours(lakeDir: string, table: TableDefinition, folders?: readonly string[]): Promise<HourFiles[]> {
  const root = join(lakeDir, table.prefix);
  const byFolder = new Map<string, string[]>();
  if (folders) {
    for (const folder of folders) {
      const names = await readNames(join(root, folder));
      const files = names.filter((e) => e.isFile() && isDeliveredObjectName(e.name)).map((e) => join(root, folder, e.name));
      if (files.length > 0) byFolder.set(folder, files);
    }
  } else {
    // One recursive listing: a lake of years of hours is thousands of folders.
    for (const entry of await readNames(root, true)) {
      if (!entry.isFile()) continue;
      const path = join(entry.parentPath, entry.name);
      const parts = relative(root, path).split(sep);
      if (!parts.every(isDeliveredObjectName)) continue;
      const folder = parts.length > 1 ? `${parts.slice(0, -1).join('/')}/` : '';
      const files = byFolder.get(folder);
      if (files) files.push(path);
      else byFolder.set(folder, [path]);
    }
  }
  return [...byFolder.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([folder, files]) => hourFilesOf(folder, files.sort()));
}

function hourFilesOf(folder: string, files: readonly string[]): HourFiles {
  const baseName = (path: string) => path.slice(path.lastIndexOf(sep) + 1);
  const compacted = files.filter((f) => isCompactedObjectName(baseName(f))).at(-1);
  if (compacted) return { folder, json: [], parquet: [compacted], compacted, superseded: files.filter((f) => f !== compacted) };
  return {
    folder,
    json: files.filter((f) => !f.endsWith(parquetSuffix)),
    parquet: files.filter((f) => f.endsWith(parquetSuffix)),
    superseded: [],
  };
}

/** The files a reader reads from the given hours, by format. */
export function filesToRead(hours: readonly HourFiles[]): TableFiles {
  return { json: hours.flatMap((h) => h.json), parquet: hours.flatMap((h) => h.parquet) };
}

/** Every file of a table a reader reads (compacted hours as their one file), by format. */
export async function listTableFiles(lakeDir: string, table: TableDefinition, folders?: readonly string[]): Promise<TableFiles> {
  return filesToRead(await listTableHours(lakeDir, table, folders));
}

async function readNames(dir: string, recursive = false) {
  try {
    return await readdir(dir, { withFileTypes: true, recursive });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

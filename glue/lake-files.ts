/**
 * Which files of the lake folder belong to a table: every delivered object under the
 * table's prefix (Firehose's `<prefix>YYYY/MM/DD/HH/<stream>-1-…`, which has no extension),
 * and nothing a writer has not finished. Writers stage a file under a dot-name or a `.tmp`
 * suffix and rename it into place, so those are skipped: reading half a file would fail
 * the whole query.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TableDefinition } from './schema';

/** False for a writer's staging file: a dot-name (file or folder) or a `.tmp` suffix. */
export function isDeliveredObjectName(name: string): boolean {
  return !name.startsWith('.') && !name.endsWith('.tmp');
}

/** Absolute paths of a table's delivered files, sorted; none when its prefix does not exist yet. */
export async function listTableFiles(lakeDir: string, table: TableDefinition): Promise<string[]> {
  const files: string[] = [];
  await collectFiles(join(lakeDir, table.prefix), files);
  return files.sort();
}

async function collectFiles(dir: string, into: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const entry of entries) {
    if (!isDeliveredObjectName(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await collectFiles(path, into);
    else if (entry.isFile()) into.push(path);
  }
}

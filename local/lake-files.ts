/** Reading the lake folder the way a person or a crawler sees it: files under a prefix, and their lines. */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isDeliveredObjectName } from '../glue/lake-files';

/** Lake-relative keys of every delivered file under `prefix` (e.g. `raw/`, `errors/`), sorted; staging files left out. */
export async function listLakeFiles(lakeDir: string, prefix: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(join(lakeDir, prefix), { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return entries
    .filter((e) => e.isFile() && relative(lakeDir, join(e.parentPath, e.name)).split(sep).every(isDeliveredObjectName))
    .map((e) => relative(lakeDir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** Every line of the given files, in order (files written by Firehose end each record with `\n`). */
export async function readLakeLines(lakeDir: string, keys: readonly string[]): Promise<string[]> {
  const lines: string[] = [];
  for (const key of keys) {
    const text = await readFile(join(lakeDir, key), 'utf8');
    for (const line of text.split('\n')) if (line !== '') lines.push(line);
  }
  return lines;
}

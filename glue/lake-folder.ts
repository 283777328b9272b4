/**
 * What makes a folder a lake, decided here once: it holds the lake's catalog file
 * (`brewlake.duckdb`, written by every command that changes the lake), or, for a lake
 * written before the catalog file existed, one of its tables' folders or its model registry.
 * Each of those entries must be what it claims to be: a table or the registry is a folder, the
 * catalog a DuckDB file; a file named `raw` or a `brewlake.duckdb` holding anything else
 * would read as an empty lake. A command that reads a lake refuses any other folder, so a
 * mistyped `--lake` is an error instead of empty results.
 */
import { closeSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { brewlakeCommand } from './command-hint';
import { localModelsFolder } from './layout';
import { lakeTables } from './schema';

/** The DuckDB catalog file inside the lake: views over the lake's files, openable by any DuckDB tool. */
export const catalogFileName = 'brewlake.duckdb';

export const catalogFilePath = (lakeDir: string) => join(lakeDir, catalogFileName);

/** The folders whose presence marks a folder as a lake: the tables' and the model registry's. */
export const lakeFolderMarkers: readonly string[] = [...lakeTables.map((t) => t.prefix.replace(/\/$/, '')), localModelsFolder];

/** The entries whose presence marks a folder as a lake. */
export const lakeMarkers: readonly string[] = [catalogFileName, ...lakeFolderMarkers];

/** Every DuckDB database file carries these bytes after its 8-byte checksum. */
const duckDbMagic = { offset: 8, bytes: Buffer.from('DUCK', 'latin1') } as const;

/** Why a folder is not a lake. `broken entry`: one of its entries is not what its name says (`entry` and `why` say which and how). */
export type NotALakeReason = 'missing' | 'not a folder' | 'no lake entries' | 'broken entry';

const makeOne = (lakeDir: string) => `make a lake there with \`${brewlakeCommand('demo --once', { lake: lakeDir, always: true })}\`, or point --lake at an existing one`;

/** `--lake` names a folder that is not a lake (missing, not a folder, holding none of the lake's entries, or one of them broken). */
export class NotALake extends Error {
  override readonly name = 'NotALake';
  constructor(
    readonly lakeDir: string,
    readonly reason: NotALakeReason,
    readonly entry?: { readonly path: string; readonly why: string },
  ) {
    const at = resolve(lakeDir);
    super(
      {
        missing: `--lake ${at} does not exist: ${makeOne(lakeDir)}`,
        // No demo hint: demo cannot make a lake where a file is.
        'not a folder': `--lake ${at} is a file, not a folder: point --lake at a lake folder, or at a new folder for \`npx brewlake demo --once\` to make a lake in`,
        'no lake entries': `--lake ${at} is not a lake (it holds no ${catalogFileName} nor any of ${lakeFolderMarkers.map((m) => `${m}/`).join(', ')}): ${makeOne(lakeDir)}`,
        'broken entry': `--lake ${at} is not a readable lake: ${entry?.path} ${entry?.why}; move it out of the lake, or point --lake at another lake`,
      }[reason],
    );
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/** Does the file start like a DuckDB database? */
function isDuckDbFile(path: string): boolean {
  const head = Buffer.alloc(duckDbMagic.offset + duckDbMagic.bytes.length);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const read = readSync(fd, head, 0, head.length, 0);
    return read === head.length && head.subarray(duckDbMagic.offset).equals(duckDbMagic.bytes);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** The first lake entry of the folder that is not what its name says, and why; undefined when every present one is right. */
function brokenEntry(lakeDir: string): { path: string; why: string } | undefined {
  const catalog = catalogFilePath(lakeDir);
  const catalogStats = statOrUndefined(catalog);
  if (catalogStats && !catalogStats.isFile()) return { path: catalog, why: 'is not a file (the catalog is a DuckDB database file)' };
  if (catalogStats && !isDuckDbFile(catalog)) return { path: catalog, why: `is not a DuckDB database (no "DUCK" at byte ${duckDbMagic.offset}): not the catalog brewlake writes` };
  for (const marker of lakeFolderMarkers) {
    const path = join(lakeDir, marker);
    const stats = statOrUndefined(path);
    if (stats && !stats.isDirectory()) return { path, why: `is not a folder (${marker === localModelsFolder ? 'the model registry' : `the ${marker} table's files`} live in a folder of that name)` };
  }
  return undefined;
}

/** The folder's verdict: undefined when it is a lake, else why not. */
export function checkLakeFolder(lakeDir: string): NotALake | undefined {
  const stats = statOrUndefined(lakeDir);
  if (!stats) return new NotALake(lakeDir, 'missing');
  if (!stats.isDirectory()) return new NotALake(lakeDir, 'not a folder');
  const broken = brokenEntry(lakeDir);
  if (broken) return new NotALake(lakeDir, 'broken entry', broken);
  return lakeMarkers.some((m) => statOrUndefined(join(lakeDir, m))) ? undefined : new NotALake(lakeDir, 'no lake entries');
}

/**
 * For a command that makes the lake (`demo`): undefined when the folder is a lake or can
 * become one (missing, or a folder with no broken lake entry), else why not.
 */
export function checkNewLakeFolder(lakeDir: string): NotALake | undefined {
  const verdict = checkLakeFolder(lakeDir);
  return verdict?.reason === 'missing' || verdict?.reason === 'no lake entries' ? undefined : verdict;
}

/**
 * What makes a folder a lake, decided here once: it holds the lake's catalog file
 * (`brewlake.duckdb`, written by every command that changes the lake), or, for a lake
 * written before the catalog file existed, one of its tables' folders or its model registry.
 * A command that reads a lake refuses any other folder, so a mistyped `--lake` is an error
 * instead of empty results.
 */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localModelsFolder } from './layout';
import { lakeTables } from './schema';

/** The DuckDB catalog file inside the lake: views over the lake's files, openable by any DuckDB tool. */
export const catalogFileName = 'brewlake.duckdb';

export const catalogFilePath = (lakeDir: string) => join(lakeDir, catalogFileName);

/** The entries whose presence marks a folder as a lake. */
export const lakeMarkers: readonly string[] = [catalogFileName, ...lakeTables.map((t) => t.prefix.replace(/\/$/, '')), localModelsFolder];

/** `--lake` names a folder that is not a lake (missing, not a folder, or holding none of the lake's entries). */
export class NotALake extends Error {
  override readonly name = 'NotALake';
  constructor(
    readonly lakeDir: string,
    readonly reason: 'missing' | 'not a folder' | 'no lake entries',
  ) {
    const why = {
      missing: 'does not exist',
      'not a folder': 'is not a folder',
      'no lake entries': `is not a lake (it holds no ${catalogFileName} nor any of ${lakeMarkers.filter((m) => m !== catalogFileName).map((m) => `${m}/`).join(', ')})`,
    }[reason];
    super(`${resolve(lakeDir)} ${why}: make a lake there with \`npx brewlake demo --once --lake ${lakeDir}\`, or point --lake at an existing one`);
  }
}

/** The folder's verdict: undefined when it is a lake, else why not. */
export function checkLakeFolder(lakeDir: string): NotALake | undefined {
  let stats;
  try {
    stats = statSync(lakeDir);
  } catch {
    return new NotALake(lakeDir, 'missing');
  }
  if (!stats.isDirectory()) return new NotALake(lakeDir, 'not a folder');
  return lakeMarkers.some((m) => existsSync(join(lakeDir, m))) ? undefined : new NotALake(lakeDir, 'no lake entries');
}

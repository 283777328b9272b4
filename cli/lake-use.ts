/**
 * Which commands read the local lake and which change it, so that `cli/main` can check
 * `--lake` once before any of them runs (a folder that is not a lake is an error, never
 * empty results) and rebuild the lake's catalog file after any of them changed the lake.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { checkLakeFolder } from '../glue/lake-folder';

type Flags = Record<string, unknown>;

interface LakeUse {
  /** Given the command's flags: does it read the local lake? */
  readonly reads: (flags: Flags) => boolean;
  /** Does it write tables into the lake (so its catalog file must be rebuilt)? */
  readonly changes: boolean;
}

const onDuckDb = (flags: Flags) => flags.engine !== 'athena';

const lakeUse: Readonly<Record<string, LakeUse>> = {
  // Demo and serve rebuild the catalog themselves as files arrive (local/lake-catalog-refresh), and once more as they stop.
  demo: { reads: () => false, changes: false },
  query: { reads: (flags) => onDuckDb(flags) && !flags.list, changes: false },
  tables: { reads: onDuckDb, changes: false },
  train: { reads: onDuckDb, changes: true },
  models: { reads: (flags) => flags.registry === undefined, changes: false },
  promote: { reads: (flags) => flags.registry === undefined, changes: false },
  score: { reads: () => true, changes: true },
  drift: { reads: () => true, changes: false },
  // Compaction rebuilds the catalog itself, between its renames and its removals.
  compact: { reads: () => true, changes: false },
  serve: { reads: (flags) => !flags.checkPort, changes: false },
};

const lakeOf = (command: Command) => command.opts<{ lake?: string }>().lake;

/** Before a command runs: refuses a `--lake` that is not a lake when the command reads it. */
export function checkLakeBefore(command: Command): void {
  const use = lakeUse[command.name()];
  const lake = lakeOf(command);
  if (!use || lake === undefined || !use.reads(command.opts())) return;
  const notALake = checkLakeFolder(lake);
  if (notALake) throw notALake;
}

/** After a command ran: rebuilds the catalog file of the lake it changed. */
export async function rebuildCatalogAfter(command: Command): Promise<void> {
  const use = lakeUse[command.name()];
  const lake = lakeOf(command);
  if (!use?.changes || lake === undefined) return;
  if (!existsSync(lake) || checkLakeFolder(lake)) return;
  // Loaded here: DuckDB is not every command's to load.
  const { buildLakeCatalog } = await import('../glue/lake-catalog');
  await buildLakeCatalog(lake);
}

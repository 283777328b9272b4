/**
 * Which commands read the local lake, which make it, which read a `--registry` and which
 * change the lake, so that `cli/main` can check `--lake` and `--registry` once before any of
 * them runs (a folder that is not a lake is an error, never empty results) and rebuild the
 * lake's catalog file after any of them changed the lake.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { checkLakeFolder, checkNewLakeFolder } from '../glue/lake-folder';
import { checkRegistryToRead } from './registry-option';

type Flags = Record<string, unknown>;

interface LakeUse {
  /**
   * Given the command's flags: what `--lake` must be. `lake`: an existing lake; `lake or new`:
   * a lake or a place to make one (missing, or a folder without broken lake entries);
   * `unused`: the command does not touch the local lake.
   */
  readonly lake: (flags: Flags) => 'lake' | 'lake or new' | 'unused';
  /** Does it read the registry a given `--registry` names (so a missing folder is a mistake, not an empty registry)? */
  readonly readsRegistry: boolean;
  /** Does it write tables into the lake (so its catalog file must be rebuilt)? */
  readonly changes: boolean;
}

const onDuckDb = (flags: Flags) => (flags.engine !== 'athena' ? 'lake' : 'unused');

const lakeUse: Readonly<Record<string, LakeUse>> = {
  // Demo and serve rebuild the catalog themselves as files arrive (local/lake-catalog-refresh), and once more as they stop.
  demo: { lake: () => 'lake or new', readsRegistry: false, changes: false },
  query: { lake: (flags) => (flags.list ? 'unused' : onDuckDb(flags)), readsRegistry: false, changes: false },
  tables: { lake: onDuckDb, readsRegistry: false, changes: false },
  // train and serve make the registry they are given when it is missing: they write models into it.
  train: { lake: onDuckDb, readsRegistry: false, changes: true },
  models: { lake: (flags) => (flags.registry === undefined ? 'lake' : 'unused'), readsRegistry: true, changes: false },
  promote: { lake: (flags) => (flags.registry === undefined ? 'lake' : 'unused'), readsRegistry: true, changes: false },
  score: { lake: () => 'lake', readsRegistry: true, changes: true },
  drift: { lake: () => 'lake', readsRegistry: true, changes: false },
  // Compaction rebuilds the catalog itself, between its renames and its removals.
  compact: { lake: () => 'lake', readsRegistry: false, changes: false },
  serve: { lake: (flags) => (flags.checkPort ? 'unused' : 'lake'), readsRegistry: false, changes: false },
};

const lakeOf = (command: Command) => command.opts<{ lake?: string }>().lake;

/** Before a command runs: refuses a `--lake` that is not a lake (or cannot become one) and a `--registry` to read that is no folder. */
export function checkLakeBefore(command: Command): void {
  const use = lakeUse[command.name()];
  if (!use) return;
  const flags = command.opts();
  const lake = lakeOf(command);
  const needs = use.lake(flags);
  const notALake = lake === undefined || needs === 'unused' ? undefined : needs === 'lake' ? checkLakeFolder(lake) : checkNewLakeFolder(lake);
  if (notALake) throw notALake;
  const registry = flags.registry;
  const noRegistry = use.readsRegistry && typeof registry === 'string' ? checkRegistryToRead(registry) : undefined;
  if (noRegistry) throw noRegistry;
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

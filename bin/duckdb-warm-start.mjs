// A command that opens the local lake in DuckDB first thing (`query`, `drift`) waits ~20 ms
// for DuckDB to load its library and open an in-memory database, after ~35 ms of loading its
// own code, one after the other. The launcher starts the opening before it loads the command,
// so the two overlap; the lake engine (glue/duckdb openDuckDbLake) takes the database once,
// through a well-known symbol, or opens its own when there is none.
import { createRequire } from 'node:module';

/** Where the opening database waits for the lake engine; glue/duckdb names the same symbol. */
const warmDatabaseKey = Symbol.for('brewlake.duckdb.warm-database');

/** Whether the command line will open the local lake in DuckDB as soon as it runs. */
function opensLocalLake(command, args) {
  if (command === 'drift') return true;
  if (command !== 'query' || args.includes('--list')) return false;
  const engine = args.findIndex((arg) => arg === '--engine' || arg.startsWith('--engine='));
  const named = engine === -1 ? 'duckdb' : args[engine].startsWith('--engine=') ? args[engine].slice('--engine='.length) : args[engine + 1];
  return named === 'duckdb';
}

/**
 * Starts opening the database when `command` will use it, and returns what closes it if the
 * command never took it (a refused flag, a lake that is not one), so that no database is left
 * open behind a finished command.
 */
export function startDuckDbWarm(command, args) {
  if (!opensLocalLake(command, args)) return async () => {};
  let bindings;
  let opening;
  try {
    bindings = createRequire(import.meta.url)('@duckdb/node-bindings');
    const config = bindings.create_config();
    // What @duckdb/node-api's DuckDBInstance.create sets: the same database it would open.
    bindings.set_config(config, 'duckdb_api', 'node-neo-api');
    opening = bindings.open(':memory:', config);
  } catch {
    // The engine opens its own, and says what fails.
    return async () => {};
  }
  // A failed opening is the engine's to report when it takes it; unhandled here it would end the process.
  opening.catch(() => {});
  globalThis[warmDatabaseKey] = opening;
  return async () => {
    if (globalThis[warmDatabaseKey] !== opening) return;
    delete globalThis[warmDatabaseKey];
    try {
      bindings.close_sync(await opening);
    } catch {
      // It never opened: nothing to close.
    }
  };
}

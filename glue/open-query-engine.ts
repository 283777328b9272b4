/** Opens the engine a configuration names: DuckDB over a lake folder, or Athena over Glue. */
import type { AthenaEngineOptions } from './athena';
import type { QueryEngine } from './query-engine';

export type QueryEngineConfig =
  | { readonly kind: 'duckdb'; readonly lakeDir: string; readonly timeoutMs?: number }
  | ({ readonly kind: 'athena' } & AthenaEngineOptions);

export async function openQueryEngine(config: QueryEngineConfig): Promise<QueryEngine> {
  // Each engine is loaded when opened: a DuckDB query need not load the AWS SDK, nor Athena DuckDB.
  if (config.kind === 'duckdb') return (await import('./duckdb')).openDuckDbLake(config.lakeDir, config.timeoutMs === undefined ? {} : { timeoutMs: config.timeoutMs });
  const { kind: _kind, ...options } = config;
  return (await import('./athena')).createAthenaEngine(options);
}

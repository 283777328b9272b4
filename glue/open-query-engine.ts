/** Opens the engine a configuration names: DuckDB over a lake folder, or Athena over Glue. */
import type { AthenaEngineOptions } from './athena';
import type { QueryEngine } from './query-engine';

export type QueryEngineConfig =
  | { readonly kind: 'duckdb'; readonly lakeDir: string; readonly timeoutMs?: number; readonly allowLocalFiles?: boolean }
  | ({ readonly kind: 'athena' } & AthenaEngineOptions);

export async function openQueryEngine(config: QueryEngineConfig): Promise<QueryEngine> {
  // Each engine is loaded when opened: a DuckDB query need not load the AWS SDK, nor Athena DuckDB.
  if (config.kind === 'duckdb') {
    const { kind: _kind, lakeDir, ...options } = config;
    return (await import('./duckdb')).openDuckDbLake(lakeDir, options);
  }
  const { kind: _kind, ...options } = config;
  return (await import('./athena')).createAthenaEngine(options);
}

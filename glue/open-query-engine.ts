/** Opens the engine a configuration names: DuckDB over a lake folder, or Athena over Glue. */
import { createAthenaEngine, type AthenaEngineOptions } from './athena';
import { openDuckDbLake } from './duckdb';
import type { QueryEngine } from './query-engine';

export type QueryEngineConfig =
  | { readonly kind: 'duckdb'; readonly lakeDir: string; readonly timeoutMs?: number; readonly allowLocalFiles?: boolean }
  | ({ readonly kind: 'athena' } & AthenaEngineOptions);

export async function openQueryEngine(config: QueryEngineConfig): Promise<QueryEngine> {
  if (config.kind === 'duckdb') {
    const { kind: _kind, lakeDir, ...options } = config;
    return openDuckDbLake(lakeDir, options);
  }
  const { kind: _kind, ...options } = config;
  return createAthenaEngine(options);
}

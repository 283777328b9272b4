/**
 * `--engine duckdb|athena` and what each needs, for every command that queries the lake
 * (`query`, `train`): DuckDB reads `--lake`; Athena needs a workgroup and a Glue database,
 * from flags or the environment.
 */
import { Option } from 'commander';
import type { QueryEngineConfig } from '../glue/open-query-engine';

export const engineKinds = ['duckdb', 'athena'] as const;

export const engineOptions = () => [
  new Option('--engine <engine>', 'where the SQL runs: the local lake (duckdb) or AWS (athena)').choices(engineKinds).default('duckdb'),
  new Option('--workgroup <name>', 'Athena workgroup').env('BREWLAKE_ATHENA_WORKGROUP'),
  new Option('--database <name>', 'Glue database of the lake tables').env('BREWLAKE_GLUE_DATABASE'),
  new Option('--output-location <s3-uri>', 'Athena results location, if the workgroup sets none').env('BREWLAKE_ATHENA_OUTPUT'),
  new Option('--region <region>', 'AWS region (default: the SDK default chain)').env('AWS_REGION'),
];

export interface EngineFlags {
  engine: (typeof engineKinds)[number];
  lake: string;
  workgroup?: string;
  database?: string;
  outputLocation?: string;
  region?: string;
}

/** The engine the flags name; a missing Athena setting is an error naming its flag and variable. */
export function engineConfigFromFlags(flags: EngineFlags): QueryEngineConfig {
  if (flags.engine === 'duckdb') return { kind: 'duckdb', lakeDir: flags.lake };
  if (!flags.workgroup) throw new Error('--engine athena needs --workgroup or BREWLAKE_ATHENA_WORKGROUP');
  if (!flags.database) throw new Error('--engine athena needs --database or BREWLAKE_GLUE_DATABASE');
  return {
    kind: 'athena',
    workGroup: flags.workgroup,
    database: flags.database,
    ...(flags.outputLocation ? { outputLocation: flags.outputLocation } : {}),
    ...(flags.region ? { region: flags.region } : {}),
  };
}

/**
 * One measured lake command in a process of its own (bench/lake.ts starts it), so its peak
 * RSS is its own: opens what the command opens, runs it, and prints one JSON line
 * `{ ms, rssMb, rows }`, `ms` from opening to the answer (process start-up not counted).
 *
 * argv[2] is the probe as JSON: `{ kind: 'query', lake, sql }` (the lake's DuckDB engine, as
 * `brewlake query`), `{ kind: 'floor', parquet, sql }` (DuckDB over one Parquet file of the
 * same rows, the views made the same way), `{ kind: 'drift', lake }` (`brewlake drift
 * --window 24h`) or `{ kind: 'monitor', lake }` (`/monitor/data` over a full live window).
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { openDuckDbLake } from '../glue/duckdb';
import { beersView, cleanedBeerTable, lakeTables } from '../glue/schema';
import { createViewSql, quoteIdentifier, sqlString } from '../glue/views';
import { defaultDriftThresholds } from '../model/drift';
import { checkDrift, parseWindow } from '../model/drift-check';
import { localRegistryDir, openRegistry } from '../model/open-registry';
import { createLakeMonitor } from '../lambdas/serve/monitor';
import { catalogue, cleanedRowOf } from '../test/catalogue-lake';

type Probe = { kind: 'query'; lake: string; sql: string } | { kind: 'floor'; parquet: string; sql: string } | { kind: 'drift'; lake: string } | { kind: 'monitor'; lake: string };
const probe = JSON.parse(process.argv[2]!) as Probe;

async function run(): Promise<number> {
  switch (probe.kind) {
    case 'query': {
      const engine = await openDuckDbLake(probe.lake, { tables: lakeTables });
      try {
        return (await engine.query(probe.sql)).rows.length;
      } finally {
        await engine.close();
      }
    }
    case 'floor': {
      const instance = await DuckDBInstance.create(':memory:');
      const connection = await instance.connect();
      await connection.run(`create view ${quoteIdentifier(cleanedBeerTable.name)} as select * from read_parquet(${sqlString(probe.parquet)})`);
      await connection.run(createViewSql(beersView));
      const rows = (await connection.runAndReadAll(probe.sql)).getRows().length;
      connection.closeSync();
      instance.closeSync();
      return rows;
    }
    case 'drift': {
      // As `brewlake drift` opens it: no table views, only the log's window hours.
      const engine = await openDuckDbLake(probe.lake, { tables: [] });
      try {
        const report = await checkDrift({ engine, registry: openRegistry(localRegistryDir(probe.lake)), windowMs: parseWindow('24h'), thresholds: defaultDriftThresholds });
        return report.rows;
      } finally {
        await engine.close();
      }
    }
    case 'monitor': {
      // As `brewlake serve` opens it: no table views; the dashboard reads its window's hours of the log.
      const engine = await openDuckDbLake(probe.lake, { tables: [] });
      try {
        const monitor = createLakeMonitor({ engine, registry: openRegistry(localRegistryDir(probe.lake)) });
        const snapshot = await monitor.snapshot();
        if (snapshot.problem) throw new Error(`/monitor: ${snapshot.problem}`);
        return snapshot.rows;
      } finally {
        await engine.close();
      }
    }
  }
}

let started = performance.now();
const rows = await run();
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024, rows })}\n`);

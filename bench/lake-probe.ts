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
import { createLiveWindow } from '../lambdas/serve/monitor';
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
      // The live window keeps the last 5,000 predictions in memory and reads no lake file:
      // filled to its bound, then refreshed as the dashboard does.
      const registry = openRegistry(localRegistryDir(probe.lake));
      const version = (await registry.promotedVersion())!;
      const window = createLiveWindow({ registry });
      const beers = catalogue.map((b) => cleanedRowOf(b, new Date()));
      const now = Date.now();
      for (let i = 0; i < 5_000; i++) {
        const beer = beers[i % beers.length]!;
        window.record({ request_id: `r${i}`, predicted_at: now - (5_000 - i) * 600, model_version: version, feature_set: 'hops', beers: [beer], predictions: [beer.ibu ?? 40], latency_ms: 2 });
      }
      const t0 = performance.now();
      const snapshot = await window.snapshot();
      started = t0;
      return snapshot.rows;
    }
  }
}

let started = performance.now();
const rows = await run();
const ms = performance.now() - started;
process.stdout.write(`${JSON.stringify({ ms, rssMb: process.resourceUsage().maxRSS / 1024, rows })}\n`);

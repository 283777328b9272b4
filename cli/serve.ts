/**
 * `brewlake serve`: the serving app on 127.0.0.1 over the lake's local registry. With no
 * promoted model yet, it trains one on the lake first (as `brewlake train` would).
 */
import { Command, InvalidArgumentError } from 'commander';
import { openQueryEngine } from '../glue/open-query-engine';
import { openDuckDbLake } from '../glue/duckdb';
import { featureSets } from '../model/features';
import { localRegistryDir, openRegistry } from '../model/open-registry';
import { BrokenPointer } from '../model/registry';
import { scoringSql } from '../model/batch-scoring';
import { runTraining } from '../model/training-run';
import { featureInputOfRow, NoTrainingRows } from '../model/training-data';
import { brewlakeCommand, type CommandHintContext } from '../glue/command-hint';
import { adminTokenEnv } from '../lambdas/serve/admin-token';
import { startServeServer } from '../lambdas/serve/node-server';
import { predictionLogRowsCounter } from '../lambdas/serve/prediction-log';
import { createThreadedPredictionLog } from '../local/prediction-log/threaded-prediction-log';
import { createLakeMonitor } from '../lambdas/serve/monitor';
import { createServeMetrics } from '../lambdas/serve/serve-metrics';
import { lakeRetrainOptions } from '../local/lake-retrain';
import { compactableTables, describeCompaction, startBackgroundCompaction, type BackgroundCompaction } from '../local/compaction';
import { startCatalogRefresh, type CatalogRefresh } from '../local/lake-catalog-refresh';
import { hintOf, lakeOption } from './options';
import { ensurePortFree, portUnavailableOf } from './port-free';

export const defaultServePort = 8000;
export const defaultServeHost = '127.0.0.1';

/** `--port`: digits only, 0 to 65535 (`Number` would take '' as 0, ' 80 ' as 80 and '0x50' as 80). */
export const parsePort = (text: string) => {
  const port = /^[0-9]{1,5}$/.test(text) ? Number(text) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new InvalidArgumentError('a port is a whole number from 0 to 65535 (0 picks a free one)');
  return port;
};

/** `--host`: an address or a name; an empty one (an unset variable) is refused rather than bound as "every interface". */
export const parseHost = (text: string) => {
  if (text.trim() === '') throw new InvalidArgumentError('give an address to listen on, e.g. 127.0.0.1, ::1 or 0.0.0.0');
  return text.trim();
};

export interface ServeLakeOptions {
  lake: string;
  port: number;
  host?: string;
  registry?: string;
  /** Send the lake's beers through /predict once started. */
  replay?: boolean;
  /** Compact the lake's closed days and hours in the background while serving. */
  compact?: boolean;
}

/** Sends every beer of the lake through /predict, as live traffic for the dashboard. */
async function replayLake(lakeDir: string, url: string): Promise<number> {
  const engine = await openQueryEngine({ kind: 'duckdb', lakeDir });
  try {
    // With each beer's id, so the logged predictions join to `beers`.
    const beers = (await engine.query(scoringSql)).rows.map((row) => ({ id: Number(row.id), ...featureInputOfRow(row) }));
    for (let i = 0; i < beers.length; i += 100) {
      const res = await fetch(`${url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(beers.slice(i, i + 100)) });
      if (!res.ok) throw new Error(`replaying the lake: /predict answered ${res.status}: ${await res.text()}`);
    }
    return beers.length;
  } finally {
    await engine.close();
  }
}

/** Trains and promotes a first model on the lake; explains how to build the lake when it is empty. */
async function trainFirstModel(lakeDir: string, registryLocation: string, hint: CommandHintContext): Promise<void> {
  process.stderr.write(`no promoted model in ${registryLocation}: training one on the lake at ${lakeDir} first\n`);
  const emptyLake = () => new Error(`the lake at ${lakeDir} has no beers to train on: build it first with \`${brewlakeCommand('demo --once', { lake: lakeDir, always: true })}\`, then run \`${brewlakeCommand('serve', hint)}\` again`);
  let engine;
  try {
    engine = await openQueryEngine({ kind: 'duckdb', lakeDir });
  } catch {
    throw emptyLake();
  }
  try {
    const result = await runTraining({
      engine,
      registry: openRegistry(registryLocation),
      featureSets: [...featureSets],
      hint,
      progress: (line) => {
        if (!line.startsWith('cross-validating')) process.stderr.write(`${line}\n`);
      },
    }).catch((error: unknown) => {
      // Beers without an IBU are no empty lake: building it again would not help.
      if (error instanceof NoTrainingRows && error.beers > 0) throw error;
      throw /no beers|no rows|empty|does not exist|No files found/i.test(String(error)) ? emptyLake() : error;
    });
    if (result.rows === 0) throw emptyLake();
    process.stderr.write(`${result.promotion.reason}: ${result.promotion.version}\n`);
  } finally {
    await engine.close();
  }
}

export const serveCommand = new Command('serve')
  .description(`serve the IBU model over HTTP (the same app as the serving Lambda): /predict, /docs, /metrics`)
  .addOption(lakeOption())
  .option('--port <port>', 'port to listen on', parsePort, defaultServePort)
  .option('--host <address>', "address to listen on: 127.0.0.1, ::1, or 0.0.0.0 or '::' for every interface", parseHost, defaultServeHost)
  .option('--check-port', 'only check that --host:--port is free, and exit (make demo runs this before building the lake)')
  .option('--registry <dir>', 'model registry folder (default: <lake>/_models)')
  .option('--replay', "send the lake's beers through /predict once started (live traffic for /monitor)")
  .option('--compact', "compact the lake's closed days and hours into Parquet in the background (as `npx brewlake compact`, every 10 minutes)")
  .action((flags: ServeLakeOptions & { checkPort?: boolean }) => (flags.checkPort ? ensurePortFree(flags.host ?? defaultServeHost, flags.port) : serveLake(flags)));

/** `--compact`: the lake's closed days and hours into Parquet beside the command's own work; one stderr line per zone that changed. */
export function compactInBackground(lakeDir: string): BackgroundCompaction {
  return startBackgroundCompaction({
    lakeDir,
    tables: compactableTables,
    onResult: (results) => {
      for (const r of results) if (r.daysCompacted + r.hoursCompacted + r.periodsFinished > 0) process.stderr.write(`compact: ${describeCompaction(r)}\n`);
    },
    onError: (error) => process.stderr.write(`compact: failed (the next run retries): ${error instanceof Error ? error.message : String(error)}\n`),
  });
}

/**
 * The lake's catalog file kept current while the command delivers files into the lake, so
 * `duckdb lake/brewlake.duckdb` sees them without waiting for it to exit; a failed rebuild
 * is one stderr line, and the next delivery retries.
 */
export function refreshCatalog(lakeDir: string): CatalogRefresh {
  return startCatalogRefresh({
    lakeDir,
    onError: (error) => process.stderr.write(`catalog: ${error instanceof Error ? error.message : String(error)} (the next delivery retries)\n`),
  });
}

/** Serves the lake's model (training one first if none is promoted) until SIGINT or SIGTERM. */
export async function serveLake(flags: ServeLakeOptions): Promise<void> {
  const host = flags.host ?? defaultServeHost;
  await ensurePortFree(host, flags.port);
  const registryLocation = flags.registry ?? localRegistryDir(flags.lake);
  const registry = openRegistry(registryLocation);
  const promoted = await registry.promotedVersion().catch((error: unknown) => {
    if (!(error instanceof BrokenPointer)) throw error;
    // Serve anyway: /ready names the problem, and POST /models/VERSION/promote repairs it.
    console.error(`warning: ${error.message}`);
    return error;
  });
  if (promoted === null) await trainFirstModel(flags.lake, registryLocation, hintOf(flags));

  // Every answered prediction flows back into the lake's prediction_log table, from a worker
  // thread running the local delivery stream.
  const metrics = createServeMetrics();
  const catalog = refreshCatalog(flags.lake);
  // Current from the start too: a lake written before the catalog file existed gets one now.
  catalog.changed();
  const log = createThreadedPredictionLog({ target: { kind: 'lake', lakeDir: flags.lake }, rows: predictionLogRowsCounter(metrics.registry), onSent: () => catalog.changed() });
  // The dashboard reads the lake's prediction_log window, as `npx brewlake drift` does (no table views: only the window's hours).
  const monitorEngine = await openDuckDbLake(flags.lake, { tables: [] });
  const monitor = createLakeMonitor({ engine: monitorEngine, registry });
  const compaction = flags.compact ? compactInBackground(flags.lake) : undefined;
  const stopBackground = async () => {
    await log.close();
    await monitorEngine.close();
    await compaction?.stop();
    // Last: the catalog then lists every file the log and compaction left.
    await catalog.stop();
  };
  const server = await startServeServer({
    port: flags.port,
    host,
    registry,
    retrain: lakeRetrainOptions(flags.lake),
    metrics,
    monitor,
    predictionSink: (event) => log.sink(event),
  }).catch(async (error: unknown) => {
    await stopBackground();
    throw portUnavailableOf(error, host, flags.port);
  });
  // From here the server listens: any failure closes it (and what runs beside it), or the
  // process would keep listening after printing its error.
  try {
    const ready = (await (await fetch(`${server.url}/ready`)).json()) as { model_version?: string };
    process.stderr.write(`model ${ready.model_version ?? '(none)'} from ${registryLocation}\n`);
    if (!process.env[adminTokenEnv]) process.stderr.write(`${adminTokenEnv} is not set: /retrain and /models/{version}/promote answer 403\n`);
    process.stderr.write(`docs: ${server.url}/docs   monitor: ${server.url}/monitor   metrics: ${server.url}/metrics   (Ctrl-C stops)\n`);
    console.log(server.url);
    if (flags.replay) process.stderr.write(`sent the lake's ${await replayLake(flags.lake, server.url)} beers through /predict: see ${server.url}/monitor\n`);

    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  } finally {
    await server.close();
    await stopBackground();
  }
  const counts = log.counts();
  process.stderr.write(`prediction log: ${counts.sent} rows into ${flags.lake}/prediction_log/, ${counts.dropped} dropped\n`);
}

/**
 * A serving process for the benchmark: `startServeServer` over a registry folder on an
 * ephemeral port, its URL on stdout. `--log LAKE` also logs every prediction into that lake
 * folder from a worker thread, as `brewlake serve` does, and prints the log's counts on
 * exit. Run through tsx, or bundled by esbuild to measure what start-up costs without the
 * TypeScript loader.
 */
import { startServeServer } from '../lambdas/serve/node-server';

const [registryDir, flag, lakeDir] = process.argv.slice(2);
if (!registryDir) throw new Error('usage: serve-process <registry dir> [--log <lake dir>]');

// Loaded only when asked for, so the cold start measures the server, not the AWS SDK.
async function openPredictionLog(lakeDir: string) {
  const { createThreadedPredictionLog } = await import('../local/prediction-log/threaded-prediction-log');
  return createThreadedPredictionLog({ target: { kind: 'lake', lakeDir } });
}

const log = flag === '--log' && lakeDir ? await openPredictionLog(lakeDir) : undefined;
const server = await startServeServer({ port: 0, registryDir, ...(log ? { predictionSink: log.sink } : {}) });
process.stdout.write(`${server.url}\n`);
process.once('SIGTERM', () =>
  void (async () => {
    await server.close();
    await log?.close();
    // What the log did, for the bench to hold against the lake.
    if (log) process.stdout.write(`${JSON.stringify(log.counts())}\n`);
    process.exit(0);
  })(),
);

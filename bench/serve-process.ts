/**
 * A serving process for the benchmark: `startServeServer` over a registry folder on an
 * ephemeral port, its URL on stdout. `--log ENDPOINT STREAM` also sends every prediction to
 * that prediction-log stream on that Kinesis endpoint, and prints the log's counts on exit (the bench runs the stream and its
 * delivery into a lake elsewhere, as AWS would). Run through tsx, or bundled by esbuild to
 * measure what start-up costs without the TypeScript loader.
 */
import { startServeServer } from '../lambdas/serve/node-server';

const [registryDir, flag, endpoint, deliveryStreamName] = process.argv.slice(2);
if (!registryDir) throw new Error('usage: serve-process <registry dir> [--log <firehose endpoint> <delivery stream name>]');

// Loaded only when asked for, so the cold start measures the server, not the AWS SDK.
async function openPredictionLog(endpoint: string, deliveryStreamName: string) {
  const { createThreadedPredictionLog } = await import('../lambdas/serve/threaded-prediction-log');
  return createThreadedPredictionLog({ endpoint, deliveryStreamName });
}

const log = flag === '--log' && endpoint && deliveryStreamName ? await openPredictionLog(endpoint, deliveryStreamName) : undefined;
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

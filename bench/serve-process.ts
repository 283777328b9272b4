/**
 * A serving process for the benchmark: `startServeServer` over a registry folder on an
 * ephemeral port, its URL on stdout. `--log ENDPOINT STREAM` also sends every prediction to
 * that prediction-log stream on that Kinesis endpoint (the bench runs the stream and its
 * delivery into a lake elsewhere, as AWS would). Run through tsx, or bundled by esbuild to
 * measure what start-up costs without the TypeScript loader.
 */
import { startServeServer } from '../lambdas/serve/node-server';

const [registryDir, flag, endpoint, streamName] = process.argv.slice(2);
if (!registryDir) throw new Error('usage: serve-process <registry dir> [--log <kinesis endpoint> <stream name>]');

// Loaded only when asked for, so the cold start measures the server, not the AWS SDK.
async function openPredictionLog(endpoint: string, streamName: string) {
  const [{ createKinesisClient }, { createPredictionLog }] = await Promise.all([import('../lambdas/kinesis-client'), import('../lambdas/serve/prediction-log')]);
  const kinesis = createKinesisClient({ endpoint });
  const log = createPredictionLog({ kinesis, streamName });
  return { sink: log.sink, close: async () => (await log.close(), kinesis.destroy()) };
}

const log = flag === '--log' && endpoint && streamName ? await openPredictionLog(endpoint, streamName) : undefined;
const server = await startServeServer({ port: 0, registryDir, ...(log ? { predictionSink: log.sink } : {}) });
process.stdout.write(`${server.url}\n`);
process.once('SIGTERM', () =>
  void (async () => {
    await server.close();
    await log?.close();
    process.exit(0);
  })(),
);

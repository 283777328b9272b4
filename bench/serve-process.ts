/**
 * A serving process for the benchmark: `startServeServer` over a registry folder on an
 * ephemeral port, its URL on stdout. `--log ENDPOINT` also sends every prediction to the
 * prediction-log stream on that Kinesis endpoint (the bench runs the stream and its delivery
 * into a lake elsewhere, as AWS would). Run through tsx,
 * or bundled by esbuild to measure what start-up costs without the TypeScript loader.
 */
import { startServeServer } from '../lambdas/serve/node-server';
import { createKinesisClient } from '../lambdas/kinesis-client';
import { createPredictionLog } from '../lambdas/serve/prediction-log';
import { predictionLogStreamName } from '../local/prediction-log-pipeline';

const [registryDir, flag, endpoint] = process.argv.slice(2);
if (!registryDir) throw new Error('usage: serve-process <registry dir> [--log <kinesis endpoint>]');
const kinesis = flag === '--log' && endpoint ? createKinesisClient({ endpoint }) : undefined;
const log = kinesis && createPredictionLog({ kinesis, streamName: predictionLogStreamName });
const server = await startServeServer({ port: 0, registryDir, ...(log ? { predictionSink: log.sink } : {}) });
process.stdout.write(`${server.url}\n`);
process.once('SIGTERM', () =>
  void (async () => {
    await server.close();
    await log?.close();
    kinesis?.destroy();
    process.exit(0);
  })(),
);

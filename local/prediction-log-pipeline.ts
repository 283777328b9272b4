/**
 * The prediction log's way into the local lake: a Kinesis stream on the local emulator and
 * a delivery loop into `prediction_log/`, as a Firehose of its own does in AWS.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { deliveryStreams } from '../glue/layout';
import { createKinesisClient } from '../lambdas/kinesis-client';
import { startDeliveryStream, type DeliveryStats } from './firehose/delivery-stream';
import { ensureStream, startKinesis } from './kinesis';

export const predictionLogStreamName = 'brewlake-prediction-log';

export interface PredictionLogPipeline {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  drain(): Promise<DeliveryStats>;
  stop(): Promise<void>;
}

/** `kinesisEndpoint`: an emulator already running; otherwise one is started and owned here. */
export async function startPredictionLogPipeline(options: { lakeDir: string; kinesisEndpoint?: string }): Promise<PredictionLogPipeline> {
  const owned = options.kinesisEndpoint ? undefined : await startKinesis();
  const endpoint = options.kinesisEndpoint ?? owned!.endpoint;
  const kinesis = createKinesisClient({ endpoint });
  await ensureStream(kinesis, predictionLogStreamName, 1);
  const delivery = await startDeliveryStream({
    lakeDir: options.lakeDir,
    kinesis,
    streamName: predictionLogStreamName,
    deliveryStream: deliveryStreams.predictionLog,
    buffering: { intervalMs: 2_000 },
  });
  return {
    kinesis,
    streamName: predictionLogStreamName,
    drain: () => delivery.drain(),
    async stop() {
      await delivery.stop();
      kinesis.destroy();
      await owned?.close();
    },
  };
}

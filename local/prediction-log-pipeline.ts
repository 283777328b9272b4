/**
 * The prediction log's way into the local lake: a local Firehose delivery stream with
 * Direct PUT as its source, writing into `prediction_log/`, as the lake stack's Firehose
 * of the same name does in AWS.
 */
import { deliveryStreams } from '../glue/layout';
import { startDirectPutDeliveryStream, type DirectPutDeliveryStream } from './firehose/direct-put';

export const startPredictionLogPipeline = (options: { lakeDir: string }): Promise<DirectPutDeliveryStream> =>
  startDirectPutDeliveryStream({ lakeDir: options.lakeDir, deliveryStream: deliveryStreams.predictionLog, buffering: { intervalMs: 2_000 } });

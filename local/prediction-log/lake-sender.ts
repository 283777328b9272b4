/**
 * The prediction log's sender for a lake folder (`brewlake serve`): the local Direct PUT
 * delivery stream, written in the caller's thread. A call's records are sent once they are
 * in a durable file: a write that fails throws, and the log counts their rows as dropped.
 */
import { deliveryStreams } from '../../glue/layout';
import { predictionLogTable } from '../../glue/schema';
import type { RecordSender } from '../../lambdas/serve/prediction-log';
import { createDirectPutWriter } from '../firehose/direct-put';
import { recordFormatFromEnv } from '../firehose/record-format-conversion';

/** A lake folder's log flushes its trickle as often as the local delivery stream buffers: one file a flush. */
export const lakeFlushIntervalMs = 2_000;

export async function openLakeSender(lakeDir: string): Promise<{ send: RecordSender; close(): Promise<void> }> {
  const writer = await createDirectPutWriter({ lakeDir, deliveryStream: { ...deliveryStreams.predictionLog, format: recordFormatFromEnv(predictionLogTable) }, buffering: { intervalMs: lakeFlushIntervalMs } });
  return {
    send: async (records) => {
      writer.put(records);
      await writer.drain();
      return records.map(() => false);
    },
    close: async () => void (await writer.stop()),
  };
}

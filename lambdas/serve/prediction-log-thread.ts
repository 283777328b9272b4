/**
 * The worker thread of `createThreadedPredictionLog`: a prediction log (`prediction-log.ts`)
 * fed batches of events by the serving thread, sending to its target: a Firehose delivery
 * stream, or (`brewlake serve`) the local lake through the local Direct PUT delivery
 * stream, run in this thread. What it sends or drops it reports back, so the serving
 * thread's counts and `/metrics` stay exact.
 */
import { constants, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { deliveryStreams } from '../../glue/layout';
import { predictionLogTable } from '../../glue/schema';
import { createDirectPutWriter } from '../../local/firehose/direct-put';
import { recordFormatFromEnv } from '../../local/firehose/record-format-conversion';
import { createFirehoseClient } from '../firehose-client';
import { createPredictionLog, firehoseSender, type RecordSender } from './prediction-log';
import type { LogThreadMessage, LogThreadOptions, ServingThreadMessage } from './threaded-prediction-log';

// Background work: under CPU pressure the scheduler serves predictions first. On Linux a
// thread's nice value is its own, so this lowers this thread only, not the server's.
try {
  setPriority(constants.priority.PRIORITY_BELOW_NORMAL);
} catch {
  // Not permitted here: the log runs at the server's priority.
}

const port = parentPort!;
const options = workerData as LogThreadOptions;

/** A lake folder's log flushes as often as the local delivery stream buffers: one file a flush. */
const lakeFlushIntervalMs = 2_000;

async function openTarget(): Promise<{ send: RecordSender; flushIntervalMs?: number; close(): Promise<void> }> {
  const { target } = options;
  if (target.kind === 'lake') {
    const writer = await createDirectPutWriter({ lakeDir: target.lakeDir, deliveryStream: { ...deliveryStreams.predictionLog, format: recordFormatFromEnv(predictionLogTable) }, buffering: { intervalMs: lakeFlushIntervalMs } });
    return {
      // Sent means in a durable file: a write that fails throws, and its rows count as dropped.
      send: async (records) => {
        writer.put(records);
        await writer.drain();
        return records.map(() => false);
      },
      flushIntervalMs: lakeFlushIntervalMs,
      close: async () => void (await writer.stop()),
    };
  }
  const firehose = createFirehoseClient({ endpoint: target.endpoint, region: target.region });
  return { send: firehoseSender(firehose, target.deliveryStreamName), close: async () => firehose.destroy() };
}

const target = await openTarget();
const flushIntervalMs = options.flushIntervalMs ?? target.flushIntervalMs;
const log = createPredictionLog({
  send: target.send,
  ...(options.maxQueuedRows === undefined ? {} : { maxQueuedRows: options.maxQueuedRows }),
  ...(flushIntervalMs === undefined ? {} : { flushIntervalMs }),
  rows: {
    // `logged` is counted by the serving thread when it hands the event over.
    inc: (labels, n = 1) => {
      const outcome = labels?.outcome;
      if (outcome === 'sent' || outcome === 'dropped') port.postMessage({ type: 'counted', outcome, rows: n } satisfies LogThreadMessage);
    },
  },
});

port.on('message', (message: ServingThreadMessage) => {
  switch (message.type) {
    case 'events':
      for (const event of message.events) log.sink(event);
      return;
    case 'flush':
      void log.flush().then(() => port.postMessage({ type: 'done', id: message.id } satisfies LogThreadMessage));
      return;
    case 'close':
      void log
        .close()
        .then(() => target.close())
        .then(() => port.postMessage({ type: 'done', id: message.id } satisfies LogThreadMessage));
      return;
  }
});

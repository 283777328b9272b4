/**
 * The worker thread of `createThreadedPredictionLog`: a prediction log (`prediction-log.ts`)
 * with its own Firehose client, fed batches of events by the serving thread. What it sends
 * or drops it reports back, so the serving thread's counts and `/metrics` stay exact.
 */
import { constants, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createFirehoseClient } from '../firehose-client';
import { createPredictionLog } from './prediction-log';
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
const firehose = createFirehoseClient({ endpoint: options.endpoint, region: options.region });
const log = createPredictionLog({
  firehose,
  deliveryStreamName: options.deliveryStreamName,
  ...(options.maxQueuedRows === undefined ? {} : { maxQueuedRows: options.maxQueuedRows }),
  ...(options.flushIntervalMs === undefined ? {} : { flushIntervalMs: options.flushIntervalMs }),
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
      void log.close().then(() => {
        firehose.destroy();
        port.postMessage({ type: 'done', id: message.id } satisfies LogThreadMessage);
      });
      return;
  }
});

/**
 * The worker thread of `createThreadedPredictionLog`: a prediction log (`prediction-log.ts`)
 * fed batches of events by the serving thread, sending to its target: a Firehose delivery
 * stream, or (`brewlake serve`) the local lake through the local Direct PUT delivery
 * stream, run in this thread. What it sends or drops it reports back, so the serving
 * thread's counts and `/metrics` stay exact.
 */
import { constants, setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { createFirehoseClient } from '../../lambdas/firehose-client';
import { createPredictionLog, defaultMaxQueuedBytes, firehoseSender, type RecordSender } from '../../lambdas/serve/prediction-log';
import { lakeFlushIntervalMs, openLakeSender } from './lake-sender';
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

async function openTarget(): Promise<{ send: RecordSender; flushIntervalMs?: number; close(): Promise<void> }> {
  const { target } = options;
  if (target.kind === 'lake') return { ...(await openLakeSender(target.lakeDir)), flushIntervalMs: lakeFlushIntervalMs };
  const firehose = createFirehoseClient({ endpoint: target.endpoint, region: target.region });
  return { send: firehoseSender(firehose, target.deliveryStreamName), close: async () => firehose.destroy() };
}

const target = await openTarget();
const flushIntervalMs = options.flushIntervalMs ?? target.flushIntervalMs;
const maxQueuedBytes = options.maxQueuedBytes ?? defaultMaxQueuedBytes;
/** What the queue can take now: the serving thread hands over no more than this. */
const room = () => maxQueuedBytes - (log.counts().queuedBytes ?? 0);
const log = createPredictionLog({
  send: target.send,
  maxQueuedBytes,
  ...(flushIntervalMs === undefined ? {} : { flushIntervalMs }),
  rows: {
    // `logged` is counted by the serving thread when it hands the event over.
    inc: (labels, n = 1) => {
      const outcome = labels?.outcome;
      if (outcome === 'sent' || outcome === 'dropped') port.postMessage({ type: 'counted', outcome, rows: n, room: room() } satisfies LogThreadMessage);
    },
  },
});

port.on('message', (message: ServingThreadMessage) => {
  switch (message.type) {
    case 'events':
      for (const event of message.events) log.sink(event);
      // After this turn's I/O: the serving thread sends the next events only once it has this.
      setImmediate(() => port.postMessage({ type: 'taken', room: room() } satisfies LogThreadMessage));
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

/**
 * The prediction log off the serving thread (`brewlake serve`): the request only appends its
 * event to a list, which goes to a worker thread once per turn of the event loop (one
 * structured clone for the lot, about a microsecond an event); the worker writes the JSON
 * lines and sends them: to Firehose, or, for `brewlake serve`, straight into the local lake
 * through the local Direct PUT delivery stream run in the worker (no HTTP, no SDK: half the
 * thread's work). The serving Lambda keeps the log in its own thread (`prediction-log.ts`):
 * it has one vCPU or less, and flushes before each invocation returns.
 */
import { startThreadModule } from '../../model/thread-module';
import type { Counter } from '../../lambdas/serve/prometheus';
import type { PredictionLog, PredictionLogCounts } from '../../lambdas/serve/prediction-log';
import type { PredictionEvent } from '../../lambdas/serve/prediction-sink';

/** Where the thread sends: a Firehose delivery stream, or a lake folder written in the thread. */
export type LogThreadTarget =
  | {
      readonly kind: 'firehose';
      readonly deliveryStreamName: string;
      /** The Firehose endpoint; absent in AWS. */
      readonly endpoint?: string | undefined;
      readonly region?: string | undefined;
    }
  | { readonly kind: 'lake'; readonly lakeDir: string };

export interface LogThreadOptions {
  readonly target: LogThreadTarget;
  /** The thread's queue bound (`PredictionLogOptions.maxQueuedBytes`). */
  readonly maxQueuedBytes?: number | undefined;
  readonly flushIntervalMs?: number | undefined;
}

/**
 * Rows handed to the thread that it has not yet taken into its byte-bounded queue (its
 * message inbox): beyond this, new rows are dropped here, counted, before they cost a
 * structured clone. A thread that cannot keep up is then busy writing rows, not reading a
 * backlog of messages it will drop. A second or two of the log's ceiling, so a thread still
 * loading its modules when the first requests come drops none of them; in rows, because
 * the serving thread does not write the lines (a row's size is bounded by the body limit).
 */
export const maxHandedOverRows = 50_000;

export type ServingThreadMessage =
  | { readonly type: 'events'; readonly events: readonly PredictionEvent[] }
  | { readonly type: 'flush' | 'close'; readonly id: number };

export type LogThreadMessage =
  | { readonly type: 'counted'; readonly outcome: 'sent' | 'dropped'; readonly rows: number }
  /** The rows of an `events` message are in the thread's queue (or counted dropped). */
  | { readonly type: 'taken'; readonly rows: number }
  | { readonly type: 'done'; readonly id: number };

const startThread = (workerData: LogThreadOptions) => startThreadModule(import.meta.url, 'prediction-log-thread', workerData);

export function createThreadedPredictionLog(
  options: LogThreadOptions & {
    readonly rows?: Counter;
    /** Rows are in the target (for a lake: in a delivered file), e.g. to refresh the lake's catalog file. */
    readonly onSent?: (rows: number) => void;
  },
): PredictionLog {
  const { rows, onSent, ...threadOptions } = options;
  const worker = startThread(threadOptions);
  // The log must not keep a finished process alive; close() is what waits for it.
  worker.unref();
  const counts = { logged: 0, sent: 0, dropped: 0 };
  const waiting = new Map<number, () => void>();
  let nextId = 0;
  let pending: PredictionEvent[] = [];
  let handOverScheduled = false;
  let handedOverRows = 0;

  const count = (outcome: keyof typeof counts, n: number) => {
    counts[outcome] += n;
    if (n > 0) rows?.inc({ outcome }, n);
  };
  worker.on('message', (message: LogThreadMessage) => {
    if (message.type === 'counted') {
      count(message.outcome, message.rows);
      if (message.outcome === 'sent' && message.rows > 0) onSent?.(message.rows);
    }
    else if (message.type === 'taken') handedOverRows -= message.rows;
    else {
      waiting.get(message.id)?.();
      waiting.delete(message.id);
    }
  });
  let failure: Error | undefined;
  let closing = false;
  const fail = (error: Error) => {
    failure ??= error;
    for (const done of waiting.values()) done();
    waiting.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => {
    if (!closing) fail(new Error(`the prediction log thread exited (code ${code})`));
  });

  const handOver = () => {
    handOverScheduled = false;
    if (pending.length === 0) return;
    let rows = 0;
    let fit = 0;
    while (fit < pending.length && handedOverRows + rows + pending[fit]!.beers.length <= maxHandedOverRows) rows += pending[fit++]!.beers.length;
    const events = pending.slice(0, fit);
    count('dropped', pending.slice(fit).reduce((n, e) => n + e.beers.length, 0));
    pending = [];
    if (events.length === 0) return;
    try {
      if (failure) throw failure;
      worker.postMessage({ type: 'events', events } satisfies ServingThreadMessage);
      handedOverRows += rows;
    } catch {
      // The thread is gone (or an event would not clone): these rows never reach the lake.
      count('dropped', rows);
    }
  };
  const ask = (type: 'flush' | 'close') =>
    new Promise<void>((resolve) => {
      handOver();
      if (failure) return resolve();
      const id = nextId++;
      // Waiting for the answer keeps the process alive, even with nothing else left to do.
      worker.ref();
      waiting.set(id, () => {
        if (waiting.size <= 1) worker.unref();
        resolve();
      });
      worker.postMessage({ type, id } satisfies ServingThreadMessage);
    });

  return {
    sink(event) {
      count('logged', event.beers.length);
      pending.push(event);
      if (!handOverScheduled) {
        handOverScheduled = true;
        setImmediate(handOver);
      }
    },
    counts: (): PredictionLogCounts => ({ ...counts, queued: counts.logged - counts.sent - counts.dropped }),
    flush: () => ask('flush'),
    async close() {
      await ask('close');
      closing = true;
      await worker.terminate();
      // Whatever the thread never reported (it failed) is lost to the lake: say so.
      const unaccounted = counts.logged - counts.sent - counts.dropped;
      if (failure && unaccounted > 0) count('dropped', unaccounted);
    },
  };
}

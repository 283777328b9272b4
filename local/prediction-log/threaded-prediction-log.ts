/**
 * The prediction log off the serving thread (`brewlake serve`): the request only appends its
 * event to a list, which goes to a worker thread as the thread makes room for it (one
 * structured clone for the lot, about a microsecond an event); the worker writes the JSON
 * lines and sends them: to Firehose, or, for `brewlake serve`, straight into the local lake
 * through the local Direct PUT delivery stream run in the worker (no HTTP, no SDK: half the
 * thread's work). The serving Lambda keeps the log in its own thread (`prediction-log.ts`):
 * it has one vCPU or less, and flushes before each invocation returns.
 */
import { startThreadModule } from '../../model/thread-module';
import type { Counter } from '../../lambdas/serve/prometheus';
import { defaultMaxQueuedBytes, loggedBytesAtLeast, type PredictionLog, type PredictionLogCounts } from '../../lambdas/serve/prediction-log';
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
 * Bytes of events (as `loggedBytesAtLeast` weighs them) the serving thread holds for the
 * thread, waiting for room in its queue: beyond this, a new event is dropped here, counted,
 * before it costs a structured clone. A quarter of the thread's default queue: enough for a
 * burst, or for the first requests while the thread still loads its modules; in bytes,
 * because a row can be 300 bytes or 30 KB.
 */
export const defaultMaxPendingBytes = 8 * 1024 * 1024;

/*
 * The hand-over is paced by the thread. One `events` message at a time is on its way, and
 * only what the thread's queue has room for (as the thread last reported its room): a thread
 * that cannot keep up makes the serving thread drop, never clone, what it would drop. One
 * message at a time also lets the thread's event loop turn, and its file writes finish: a
 * worker reads back-to-back messages without turning its loop (Node reads at least 1,000
 * before it yields), and a steady stream of large messages kept every write waiting until
 * the load stopped. The thread answers `taken` only after its loop has turned, so that a
 * quick answer cannot bring the next message in before its I/O has run.
 */
export type ServingThreadMessage =
  | { readonly type: 'events'; readonly events: readonly PredictionEvent[] }
  | { readonly type: 'flush' | 'close'; readonly id: number };

export type LogThreadMessage =
  /** Rows sent or dropped; `room`: the bytes the thread's queue can take now. */
  | { readonly type: 'counted'; readonly outcome: 'sent' | 'dropped'; readonly rows: number; readonly room: number }
  /** The rows of an `events` message are in the thread's queue (or counted dropped), and its loop has turned since. */
  | { readonly type: 'taken'; readonly room: number }
  | { readonly type: 'done'; readonly id: number };

/** What the serving thread holds now; part of `PredictionLogCounts` for a threaded log. */
export interface ThreadedLogCounts extends PredictionLogCounts {
  /**
   * Bytes held for the lake: events waiting here and on their way (weighed by
   * `loggedBytesAtLeast`), and the lines in the thread's queue (as it last reported).
   * At most `maxPendingBytes` + `maxQueuedBytes`.
   */
  readonly queuedBytes: number;
}

export interface ThreadedPredictionLog extends PredictionLog {
  counts(): ThreadedLogCounts;
}

const startThread = (workerData: LogThreadOptions) => startThreadModule(import.meta.url, 'prediction-log-thread', workerData);

interface WeighedEvent {
  readonly event: PredictionEvent;
  readonly bytes: number;
}

export function createThreadedPredictionLog(
  options: LogThreadOptions & {
    readonly rows?: Counter;
    readonly maxPendingBytes?: number;
    /** Rows are in the target (for a lake: in a delivered file), e.g. to refresh the lake's catalog file. */
    readonly onSent?: (rows: number) => void;
  },
): ThreadedPredictionLog {
  const { rows, onSent, maxPendingBytes = defaultMaxPendingBytes, ...threadOptions } = options;
  const maxQueuedBytes = threadOptions.maxQueuedBytes ?? defaultMaxQueuedBytes;
  const worker = startThread(threadOptions);
  // The log must not keep a finished process alive; close() is what waits for it.
  worker.unref();
  const counts = { logged: 0, sent: 0, dropped: 0 };
  const waiting = new Map<number, () => void>();
  let nextId = 0;
  let pending: WeighedEvent[] = [];
  let pendingBytes = 0;
  /** The weight of the `events` message on its way to the thread, if one is. */
  let onTheWay: number | undefined;
  /** Free bytes in the thread's queue, as it last reported with nothing on its way. */
  let room = maxQueuedBytes;
  let handOverScheduled = false;
  /** Events ever put in `pending`, and taken out of it (handed over, or dropped with the thread gone). */
  let accepted = 0;
  let handedOver = 0;

  const count = (outcome: keyof typeof counts, n: number) => {
    counts[outcome] += n;
    if (n > 0) rows?.inc({ outcome }, n);
  };
  const rowsOf = (events: readonly WeighedEvent[]) => events.reduce((n, e) => n + e.event.beers.length, 0);

  let failure: Error | undefined;
  let closing = false;
  const fail = (error: Error) => {
    failure ??= error;
    for (const done of waiting.values()) done();
    waiting.clear();
  };

  /** Posts `events` to the thread (or counts them dropped when it is gone); nothing else may be on its way. */
  const post = (events: WeighedEvent[]) => {
    if (events.length === 0) return;
    const bytes = events.reduce((n, e) => n + e.bytes, 0);
    try {
      if (failure) throw failure;
      worker.postMessage({ type: 'events', events: events.map((e) => e.event) } satisfies ServingThreadMessage);
      onTheWay = bytes;
    } catch {
      // The thread is gone (or an event would not clone): these rows never reach the lake.
      count('dropped', rowsOf(events));
    }
  };
  const takePending = (fits: (e: WeighedEvent, taken: number) => boolean) => {
    let taken = 0;
    let n = 0;
    while (n < pending.length && fits(pending[n]!, taken)) taken += pending[n++]!.bytes;
    const events = pending.splice(0, n);
    pendingBytes -= taken;
    handedOver += n;
    return events;
  };
  /**
   * Hands over, oldest first, what the thread's queue has room for; the rest waits for its
   * next report. Half the room: an event's lines take up to about twice its weight (long
   * numbers, text beyond ASCII), and what is handed over must fit, or it is cloned to be dropped.
   */
  const handOver = () => {
    handOverScheduled = false;
    if (onTheWay !== undefined || pending.length === 0) return;
    // A thread with an empty queue takes the next event whatever its weight: the thread's own bound then decides.
    post(takePending((e, taken) => taken + e.bytes <= room / 2 || (taken === 0 && room >= maxQueuedBytes)));
  };
  const scheduleHandOver = () => {
    if (handOverScheduled) return;
    handOverScheduled = true;
    setImmediate(handOver);
  };

  worker.on('message', (message: LogThreadMessage) => {
    if (message.type === 'counted') {
      count(message.outcome, message.rows);
      if (message.outcome === 'sent' && message.rows > 0) onSent?.(message.rows);
      // With a message on its way, the room said here may or may not count it: its `taken` says.
      if (onTheWay !== undefined) return;
      room = message.room;
      scheduleHandOver();
    } else if (message.type === 'taken') {
      onTheWay = undefined;
      room = message.room;
      scheduleHandOver();
    } else {
      waiting.get(message.id)?.();
      waiting.delete(message.id);
    }
  });
  worker.on('error', fail);
  worker.on('exit', (code) => {
    if (!closing) fail(new Error(`the prediction log thread exited (code ${code})`));
  });

  /** Asks the thread to flush or close, and waits for its answer (or its failure). */
  const request = (type: 'flush' | 'close') =>
    new Promise<void>((resolve) => {
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
  /**
   * Flushes (or closes) once every event sunk so far is handed over: at the pace the thread
   * makes room (each flush it is asked for empties its queue), so nothing waiting here is
   * dropped for want of room. Events sunk meanwhile do not hold it up.
   */
  const ask = async (type: 'flush' | 'close') => {
    const target = accepted;
    handOver();
    while (!failure && handedOver < target) await request('flush');
    // A thread that failed takes nothing more: what waits is counted dropped.
    if (failure) post(takePending(() => true));
    await request(type);
  };

  return {
    sink(event) {
      const n = event.beers.length;
      count('logged', n);
      const bytes = loggedBytesAtLeast(event);
      // Full: dropped before it costs anything more (an event alone is taken whatever its weight).
      if (failure || (pending.length > 0 && pendingBytes + bytes > maxPendingBytes)) return count('dropped', n);
      pending.push({ event, bytes });
      pendingBytes += bytes;
      accepted++;
      scheduleHandOver();
    },
    counts: (): ThreadedLogCounts => ({
      ...counts,
      queued: counts.logged - counts.sent - counts.dropped,
      queuedBytes: pendingBytes + (onTheWay ?? 0) + (maxQueuedBytes - room),
    }),
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

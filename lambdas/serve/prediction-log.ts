/**
 * The prediction log's sink: every answered prediction, one row per beer, on its way back
 * into the lake (`prediction_log`) through a Kinesis stream that a Firehose (in AWS) or the
 * local delivery loop reads. Logging never slows or fails a prediction: `log` only queues,
 * a background flush sends, and whatever cannot be sent is counted as dropped, exactly.
 */
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { lakeTimestampText } from '../../glue/query-engine';
import { baseFeatureNames, type PredictionLogRow } from '../../glue/schema';
import type { Counter, MetricRegistry } from './prometheus';
import type { PredictionEvent, PredictionSink } from './prediction-sink';

export interface PredictionLogOptions {
  readonly kinesis: KinesisClient;
  readonly streamName: string;
  /** Rows kept waiting at most; beyond it new rows are dropped (and counted). */
  readonly maxQueuedRows?: number;
  readonly flushIntervalMs?: number;
  /** `brewlake_prediction_log_rows_total{outcome=logged|sent|dropped}`. */
  readonly rows?: Counter;
}

export interface PredictionLogCounts {
  readonly logged: number;
  readonly sent: number;
  readonly dropped: number;
  readonly queued: number;
}

export interface PredictionLog {
  readonly sink: PredictionSink;
  counts(): PredictionLogCounts;
  /** Sends what is queued now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export function predictionLogRows(event: PredictionEvent): PredictionLogRow[] {
  const predictedAt = lakeTimestampText(event.predicted_at);
  return event.beers.map((beer, item) => {
    const features = Object.fromEntries(baseFeatureNames.map((n) => [n, beer[n] ?? null])) as Pick<PredictionLogRow, (typeof baseFeatureNames)[number]>;
    return {
      request_id: event.request_id,
      item,
      predicted_at: predictedAt,
      model_version: event.model_version,
      feature_set: event.feature_set,
      ...features,
      volume_litres: beer.volume_litres ?? null,
      hops: beer.hops ? beer.hops.map((h) => ({ name: h.name ?? null, grams: h.grams ?? null, add: h.add ?? null, stage: null, attribute: h.attribute ?? null })) : null,
      predicted_ibu: event.predictions[item]!,
      latency_ms: event.latency_ms,
    };
  });
}

/** The counter the log reports into, on the app's metric registry. */
export const predictionLogRowsCounter = (registry: MetricRegistry): Counter =>
  registry.counter('brewlake_prediction_log_rows_total', 'Prediction log rows, by outcome: logged, sent to the log stream, dropped (never in the lake).');

const batchSize = 500;

export function createPredictionLog(options: PredictionLogOptions): PredictionLog {
  const maxQueued = options.maxQueuedRows ?? 50_000;
  const queue: PredictionLogRow[] = [];
  const counts = { logged: 0, sent: 0, dropped: 0 };
  const count = (outcome: keyof typeof counts, n: number) => {
    counts[outcome] += n;
    if (n > 0) options.rows?.inc({ outcome }, n);
  };
  let sending: Promise<void> | undefined;

  async function sendBatch(rows: PredictionLogRow[]): Promise<void> {
    try {
      const answer = await options.kinesis.send(
        new PutRecordsCommand({ StreamName: options.streamName, Records: rows.map((r) => ({ Data: Buffer.from(`${JSON.stringify(r)}\n`), PartitionKey: r.request_id })) }),
      );
      const failed = answer.FailedRecordCount ?? 0;
      count('sent', rows.length - failed);
      count('dropped', failed);
    } catch {
      // The log's stream is unreachable: these rows are lost to the lake, and counted.
      count('dropped', rows.length);
    }
  }

  async function drain(): Promise<void> {
    while (queue.length > 0) await sendBatch(queue.splice(0, batchSize));
  }

  const flush = (): Promise<void> => {
    sending ??= drain().finally(() => (sending = undefined));
    return sending;
  };
  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 500);
  timer.unref();

  return {
    sink(event) {
      const rows = predictionLogRows(event);
      count('logged', rows.length);
      const room = Math.max(0, maxQueued - queue.length);
      if (room < rows.length) count('dropped', rows.length - room);
      for (let i = 0; i < Math.min(room, rows.length); i++) queue.push(rows[i]!);
    },
    counts: () => ({ ...counts, queued: queue.length }),
    flush,
    async close() {
      clearInterval(timer);
      await flush();
      if (sending) await sending;
    },
  };
}

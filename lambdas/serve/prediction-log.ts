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

/*
 * Many rows travel in one Kinesis record, as JSON lines, the way the Kinesis Producer Library
 * aggregates: a shard takes 1,000 records/s but 1 MiB/s, so one row per record would cap
 * the log at 1,000 predictions/s per shard, and the stream's per-record work (emulator or
 * AWS) would cost more than the prediction. The delivery concatenates records into S3 objects
 * untransformed, so the lines land in `prediction_log/` as they were written.
 *
 * Each row is written as its JSON line straight into an off-heap buffer the size of a
 * record: what waits for the next flush is bytes outside the JavaScript heap, which the
 * garbage collector neither copies nor scans. Queued as objects, thousands of rows a second
 * survived into the old generation and the collector's work halved the server's throughput.
 */
/** Under Kinesis's 1 MiB record limit. */
const maxRecordBytes = 256 * 1024;
/** Under PutRecords' 500 records and 5 MiB per call. */
const maxRecordsPerCall = 16;

export interface PackedRecord {
  readonly data: Buffer;
  readonly rows: number;
  readonly partitionKey: string;
}

/** Appends JSON lines into records of at most `recordBytes` (a longer line travels alone). */
function createRecordPacker(recordBytes: number) {
  const sealed: PackedRecord[] = [];
  let chunk = Buffer.allocUnsafe(recordBytes);
  let used = 0;
  let rows = 0;
  let partitionKey = '';
  const seal = () => {
    if (rows === 0) return;
    sealed.push({ data: chunk.subarray(0, used), rows, partitionKey });
    chunk = Buffer.allocUnsafe(recordBytes);
    used = 0;
    rows = 0;
  };
  return {
    add(line: string, key: string): void {
      const size = Buffer.byteLength(line);
      if (size > recordBytes) {
        sealed.push({ data: Buffer.from(line), rows: 1, partitionKey: key });
        return;
      }
      if (used + size > recordBytes) seal();
      if (rows === 0) partitionKey = key;
      used += chunk.write(line, used);
      rows++;
    },
    /** Every record so far, the open one sealed. */
    take(): PackedRecord[] {
      seal();
      return sealed.splice(0);
    },
  };
}

const jsonLine = (row: PredictionLogRow) => `${JSON.stringify(row)}\n`;

/** Packs rows into records of JSON lines, each record at most `recordBytes` (a larger row travels alone). */
export function packRows(rows: readonly PredictionLogRow[], recordBytes = maxRecordBytes): PackedRecord[] {
  const packer = createRecordPacker(recordBytes);
  for (const row of rows) packer.add(jsonLine(row), row.request_id);
  return packer.take();
}

export function createPredictionLog(options: PredictionLogOptions): PredictionLog {
  const maxQueued = options.maxQueuedRows ?? 50_000;
  const packer = createRecordPacker(maxRecordBytes);
  let queued = 0;
  const counts = { logged: 0, sent: 0, dropped: 0 };
  const count = (outcome: keyof typeof counts, n: number) => {
    counts[outcome] += n;
    if (n > 0) options.rows?.inc({ outcome }, n);
  };
  let sending: Promise<void> | undefined;

  async function sendRecords(records: readonly PackedRecord[]): Promise<void> {
    const rows = records.reduce((n, r) => n + r.rows, 0);
    try {
      const answer = await options.kinesis.send(
        new PutRecordsCommand({ StreamName: options.streamName, Records: records.map((r) => ({ Data: r.data, PartitionKey: r.partitionKey })) }),
      );
      // A record refused (throttled, or the stream failing) loses every row it carried.
      const lost = records.reduce((n, r, i) => n + (answer.Records?.[i]?.ErrorCode ? r.rows : 0), 0);
      count('sent', rows - lost);
      count('dropped', lost);
    } catch {
      // The log's stream is unreachable: these rows are lost to the lake, and counted.
      count('dropped', rows);
    }
  }

  async function drain(): Promise<void> {
    for (let records = packer.take(); records.length > 0; records = packer.take()) {
      queued -= records.reduce((n, r) => n + r.rows, 0);
      for (let i = 0; i < records.length; i += maxRecordsPerCall) await sendRecords(records.slice(i, i + maxRecordsPerCall));
    }
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
      for (const row of rows) {
        if (queued >= maxQueued) {
          count('dropped', 1);
          continue;
        }
        packer.add(jsonLine(row), row.request_id);
        queued++;
      }
    },
    counts: () => ({ ...counts, queued }),
    flush,
    async close() {
      clearInterval(timer);
      await flush();
      if (sending) await sending;
    },
  };
}

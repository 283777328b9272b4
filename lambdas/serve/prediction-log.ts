/**
 * The prediction log's sink: every answered prediction, one row per beer, on its way back
 * into the lake (`prediction_log`) through a Firehose delivery stream of its own (Direct
 * PUT: in AWS, Firehose through `firehoseSender`; locally, `local/firehose/direct-put.ts`).
 * Logging never fails a prediction: `sink` only appends to a buffer, a background flush
 * sends, and whatever cannot be sent is counted as dropped, exactly.
 */
import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { lakeTimestampText } from '../../glue/query-engine';
import { hopAttribute, hopStage } from '../../glue/hops';
import { wellFormedText } from '../../glue/lake-text';
import { baseFeatureNames, hopAdditionFields, predictionLogColumns, type BaseFeatureName, type HopAddition, type PredictionLogRow } from '../../glue/schema';
import type { BeerInput, HopAdditionInput } from './beer-request-schema';
import type { Counter, MetricRegistry } from './prometheus';
import type { PredictionEvent, PredictionSink } from './prediction-sink';

/**
 * Where records go: answers, for each record, whether it was refused (lost); throws when
 * the call as a whole failed (every record lost).
 */
export type RecordSender = (records: readonly Uint8Array[]) => Promise<readonly boolean[]>;

/** Records to a Firehose delivery stream with `PutRecordBatch`. */
export const firehoseSender =
  (firehose: FirehoseClient, deliveryStreamName: string): RecordSender =>
  async (records) => {
    const answer = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: deliveryStreamName, Records: records.map((data) => ({ Data: data })) }));
    return records.map((_, i) => Boolean(answer.RequestResponses?.[i]?.ErrorCode));
  };

export interface PredictionLogOptions {
  readonly send: RecordSender;
  /**
   * Bytes of JSON lines held at most, waiting or being sent; a row that does not fit is
   * dropped (and counted). Bytes, not rows: one row can be a few hundred bytes or megabytes.
   */
  readonly maxQueuedBytes?: number;
  /** The trickle's flush: a queue that fills a call's worth is sent at once. */
  readonly flushIntervalMs?: number;
  /** `brewlake_prediction_log_rows_total{outcome=logged|sent|dropped}`. */
  readonly rows?: Counter;
}

export interface PredictionLogCounts {
  readonly logged: number;
  readonly sent: number;
  readonly dropped: number;
  readonly queued: number;
  /** Bytes of JSON lines held now (waiting or being sent). */
  readonly queuedBytes?: number;
}

export interface PredictionLog {
  readonly sink: PredictionSink;
  counts(): PredictionLogCounts;
  /** Sends what is queued now. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/*
 * A row is written straight to its JSON line, column by column in the order of the table's
 * column list, one writer per column: the compiler checks there is a writer for every column
 * of the row type, so a column added to `glue/schema.ts` cannot be silently left out. The hop
 * bill is logged as the cleaned table holds it: stage derived, attribute normalised.
 */
type LogColumnName = PredictionLogRow extends infer R ? keyof R : never;
type HopFieldName = keyof HopAddition;
interface LineContext {
  readonly event: PredictionEvent;
  readonly item: number;
  readonly beer: BeerInput;
  readonly predictedAt: string;
}

const jsonNumber = (value: unknown) => (typeof value === 'number' && Number.isFinite(value) ? String(value) : 'null');
// Well-formed whatever it is given: one lone surrogate would make the whole table unreadable.
const sentText = (value: unknown) => (typeof value === 'string' ? JSON.stringify(wellFormedText(value)) : undefined);
const jsonString = (value: unknown) => sentText(value) ?? 'null';

/*
 * A hop is logged compactly: a field the client did not send (absent or null) is left out,
 * and so are the fields derived from it (the stage of an addition sent without `add`, the
 * attribute of one sent without an attribute). Written out in full, a `{}` hop took 73 bytes
 * of log for the 3 it cost to send, and a 280 KB body of them 5.1 MB; left out, a hop bill
 * takes at most 2.5 times what it cost to send (the property test beside this file).
 * The table's readers see a missing field as null (DuckDB's and Glue's JSON readers read the
 * declared struct, and so does the Parquet conversion); the model never reads the logged
 * stage or attribute, it derives both again from `add` and `attribute` (glue/hops.ts).
 */
const hopFieldJson: Record<HopFieldName, (hop: HopAdditionInput) => string | undefined> = {
  name: (h) => sentText(h.name),
  grams: (h) => (typeof h.grams === 'number' && Number.isFinite(h.grams) ? String(h.grams) : undefined),
  add: (h) => sentText(h.add),
  stage: (h) => (typeof h.add === 'string' ? `"${hopStage(h.add)}"` : undefined),
  attribute: (h) => (typeof h.attribute === 'string' ? `"${hopAttribute(h.attribute)}"` : undefined),
};
const hopWriters = hopAdditionFields.map((f) => [`"${f.name}":`, hopFieldJson[f.name]] as const);

function hopJson(hop: HopAdditionInput): string {
  let json = '{';
  for (let i = 0; i < hopWriters.length; i++) {
    const value = hopWriters[i]![1](hop);
    if (value !== undefined) json += (json.length === 1 ? '' : ',') + hopWriters[i]![0] + value;
  }
  return `${json}}`;
}

const columnJson: Record<LogColumnName, (c: LineContext) => string> = {
  request_id: (c) => jsonString(c.event.request_id),
  item: (c) => String(c.item),
  predicted_at: (c) => `"${c.predictedAt}"`,
  model_version: (c) => jsonString(c.event.model_version),
  feature_set: (c) => jsonString(c.event.feature_sets[c.item]),
  id: (c) => jsonNumber(c.beer.id),
  ...(Object.fromEntries(baseFeatureNames.map((name) => [name, (c: LineContext) => jsonNumber(c.beer[name])])) as Record<BaseFeatureName, (c: LineContext) => string>),
  volume_litres: (c) => jsonNumber(c.beer.volume_litres),
  hops: (c) => (Array.isArray(c.beer.hops) ? `[${c.beer.hops.map(hopJson).join(',')}]` : 'null'),
  predicted_ibu: (c) => jsonNumber(c.event.predictions[c.item]),
  latency_ms: (c) => jsonNumber(c.event.latency_ms),
};
const columnWriters = predictionLogColumns.map((column) => [`"${column.name}":`, columnJson[column.name]] as const);

/** The JSON line (newline included) of one logged beer: a `prediction_log` row. */
export function predictionLogLine(event: PredictionEvent, item: number, predictedAt = lakeTimestampText(event.predicted_at)): string {
  const context: LineContext = { event, item, beer: event.beers[item]!, predictedAt };
  let json = '{';
  for (let i = 0; i < columnWriters.length; i++) json += (i === 0 ? '' : ',') + columnWriters[i]![0] + columnWriters[i]![1](context);
  return `${json}}\n`;
}

/** What every row's line holds whatever its values: `{`, `}`, the newline, and per column its quoted name, a colon, a comma and a value of one byte at least. */
const rowBytesAtLeast = predictionLogColumns.reduce((n, c) => n + c.name.length + 4, 2);
const textLength = (value: unknown) => (typeof value === 'string' ? value.length : 0);

/**
 * A lower bound of the bytes an event's lines take, without writing them: a text takes at
 * least its UTF-16 length in UTF-8 JSON, a hop at least `{}` and a comma. What a thread that
 * writes the lines elsewhere (`brewlake serve`) weighs an event by before it hands it over: a
 * lower bound, so no row is turned away that the writer's exact bound would have taken.
 */
export function loggedBytesAtLeast(event: PredictionEvent): number {
  const perRow = rowBytesAtLeast + textLength(event.request_id) + textLength(event.model_version);
  let bytes = 0;
  for (let item = 0; item < event.beers.length; item++) {
    bytes += perRow + textLength(event.feature_sets[item]);
    const hops = event.beers[item]!.hops;
    if (Array.isArray(hops)) for (const hop of hops) bytes += hopBytesAtLeast(hop);
  }
  return bytes;
}

/** A logged field's key, quoted, and its colon. */
const keyBytes = (name: HopFieldName) => name.length + 3;
/** `{}` and a comma, and per field sent its key and value: a text its length and quotes, a number a digit, a stage (`"end"`) or attribute (`"aroma"`) its shortest spelling. */
function hopBytesAtLeast(hop: HopAdditionInput): number {
  let bytes = 3;
  if (typeof hop.name === 'string') bytes += keyBytes('name') + hop.name.length + 2;
  if (typeof hop.grams === 'number') bytes += keyBytes('grams') + 1;
  if (typeof hop.add === 'string') bytes += keyBytes('add') + hop.add.length + 2 + keyBytes('stage') + 5;
  if (typeof hop.attribute === 'string') bytes += keyBytes('attribute') + 7;
  return bytes;
}

/** `lakeTimestampText`, formatted once per second: the log stamps every request. */
export function createTimestampText(): (epochMillis: number) => string {
  let second = Number.NaN;
  let prefix = '';
  return (epochMillis) => {
    // Whole, non-negative milliseconds before year 10000 have the fixed "YYYY-MM-DD HH:MM:SS.mmm" form.
    if (!Number.isInteger(epochMillis) || epochMillis < 0 || epochMillis >= 253_402_300_800_000) return lakeTimestampText(epochMillis);
    const millis = epochMillis % 1000;
    const at = epochMillis - millis;
    if (at !== second) {
      second = at;
      prefix = lakeTimestampText(at).slice(0, -3);
    }
    return prefix + String(millis).padStart(3, '0');
  };
}

/** The counter the log reports into, on the app's metric registry. */
export const predictionLogRowsCounter = (registry: MetricRegistry): Counter =>
  registry.counter('brewlake_prediction_log_rows_total', 'Prediction log rows, by outcome: logged, sent to the delivery stream, dropped (never in the lake).');

/*
 * Many rows travel in one Firehose record, as JSON lines: a record holds up to 1,000 KiB and
 * a call 500 records, so one row per record would make the log pay per row what it can pay
 * per batch, in the server and in the stream. A JSON-lines zone gets the records concatenated
 * into S3 objects untransformed, the lines as they were written; a Parquet zone (the stacks'
 * default) converts them row by row, since record-format conversion reads several JSON
 * documents in one record (stacks/parquet-delivery.ts). Packed rows must therefore never
 * become a JSON array. Lines are appended to the open record as they come, so a flush only
 * seals it and sends.
 */
/** Under Firehose's 1,000 KiB record limit. */
const maxRecordBytes = 256 * 1024;
/** Under PutRecordBatch's 500 records and 4 MiB per call. */
const maxRecordsPerCall = 15;

export interface PackedRecord {
  readonly data: Buffer;
  readonly rows: number;
}

/** Appends JSON lines into records of at most `recordBytes` (a longer line travels alone). */
function createRecordPacker(recordBytes: number) {
  const sealed: PackedRecord[] = [];
  let chunk = Buffer.allocUnsafe(recordBytes);
  let used = 0;
  let rows = 0;
  const seal = () => {
    if (rows === 0) return;
    sealed.push({ data: chunk.subarray(0, used), rows });
    chunk = Buffer.allocUnsafe(recordBytes);
    used = 0;
    rows = 0;
  };
  return {
    /** Adds a line of `size` bytes (its UTF-8 length). */
    add(line: string, size = Buffer.byteLength(line)): void {
      if (size > recordBytes) {
        sealed.push({ data: Buffer.from(line), rows: 1 });
        return;
      }
      if (used + size > recordBytes) seal();
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

/** Packs JSON lines into records of at most `recordBytes` (a longer line travels alone). */
export function packLines(lines: readonly string[], recordBytes = maxRecordBytes): PackedRecord[] {
  const packer = createRecordPacker(recordBytes);
  for (const line of lines) packer.add(line);
  return packer.take();
}

/** Default queue bound: enough for a few seconds of the log's ceiling, small next to the server's heap. */
export const defaultMaxQueuedBytes = 32 * 1024 * 1024;
/** A full call's worth: the queue is sent as soon as it holds this much, not at the next tick. */
const flushAtBytes = maxRecordsPerCall * maxRecordBytes;

export function createPredictionLog(options: PredictionLogOptions): PredictionLog {
  const maxQueuedBytes = options.maxQueuedBytes ?? defaultMaxQueuedBytes;
  // Half the bound at most, so a small queue is sent before it is full, not as it overflows.
  const flushAt = Math.min(flushAtBytes, maxQueuedBytes / 2);
  const packer = createRecordPacker(maxRecordBytes);
  const timestampText = createTimestampText();
  /** Rows and bytes held: in the packer, or taken and not yet answered by the stream. */
  let queued = 0;
  let queuedBytes = 0;
  /** Bytes added since the last drain took the packer's records. */
  let waitingBytes = 0;
  const counts = { logged: 0, sent: 0, dropped: 0 };
  const count = (outcome: keyof typeof counts, n: number) => {
    counts[outcome] += n;
    if (n > 0) options.rows?.inc({ outcome }, n);
  };
  let sending: Promise<void> | undefined;

  async function sendRecords(records: readonly PackedRecord[]): Promise<void> {
    const rows = records.reduce((n, r) => n + r.rows, 0);
    let lost: number;
    try {
      const refused = await options.send(records.map((r) => r.data));
      // A record refused (throttled, or the stream failing) loses every row it carried.
      lost = records.reduce((n, r, i) => n + (refused[i] ? r.rows : 0), 0);
    } catch {
      // The delivery stream is unreachable: these rows are lost to the lake, and counted.
      lost = rows;
    }
    // Only now is their memory free for new rows; freed before counting, so that whoever
    // reads the counts (the worker thread reporting its room) sees the room this call made.
    queued -= rows;
    queuedBytes -= records.reduce((n, r) => n + r.data.byteLength, 0);
    count('sent', rows - lost);
    count('dropped', lost);
  }

  async function drain(): Promise<void> {
    for (let records = packer.take(); records.length > 0; records = packer.take()) {
      waitingBytes = 0;
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
      const rows = event.beers.length;
      count('logged', rows);
      const predictedAt = timestampText(event.predicted_at);
      let dropped = 0;
      for (let item = 0; item < rows; item++) {
        // A full queue drops without writing the line: under overload the CPU goes to sending.
        if (queuedBytes >= maxQueuedBytes) {
          dropped += rows - item;
          break;
        }
        const line = predictionLogLine(event, item, predictedAt);
        const size = Buffer.byteLength(line);
        if (queuedBytes + size > maxQueuedBytes) {
          dropped++;
          continue;
        }
        packer.add(line, size);
        queued++;
        queuedBytes += size;
        waitingBytes += size;
      }
      count('dropped', dropped);
      // A call's worth waiting: send now (a flush under way takes it when its call returns).
      if (waitingBytes >= flushAt) void flush();
    },
    counts: () => ({ ...counts, queued, queuedBytes }),
    flush,
    async close() {
      clearInterval(timer);
      await flush();
      if (sending) await sending;
    },
  };
}

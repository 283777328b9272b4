/**
 * One local Firehose delivery stream with a Kinesis source: reads every shard of the
 * stream on its own (two delivery streams on one Kinesis stream each see every record),
 * buffers by size and interval, optionally transforms through a processor, and writes
 * files into the lake folder with Firehose's key layout.
 *
 * At-least-once: a file is durable (fsync, rename, fsync folder) before the shard
 * positions it covers are checkpointed. A crash in between re-delivers those records on
 * restart (duplicates, which the `beers` view removes); it never loses one.
 */
import { ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { unreadableLineReason } from '../../glue/lake-text';
import { processingFailedPrefix } from '../../glue/layout';
import { backoffDelay, type BackoffPolicy } from '../../lambdas/retry-backoff';
import { checkpointStore, type Checkpoint } from './checkpoint-store';
import { removeLeftoverTempFiles, writeFirehoseObject } from './durable-file';
import type { RecordFormat } from './record-format-conversion';
import { errorFileContent, type FirehoseErrorRecord } from './error-record';
import { ShardReader } from './shard-reader';
import type { SourceRecord } from './source-record';
import { tempFolder } from './state-folder';
import { lambdaPayloadLimitBytes, transformRecords, type FailureReason, type FirehoseProcessor } from './transformation';
import { describeSourceStream, type SourceStream } from './source-stream';

/** Flush when the buffer holds `sizeBytes` of input, or its oldest record is `intervalMs` old. */
export interface BufferingHints {
  readonly sizeBytes: number;
  readonly intervalMs: number;
}

/** Firehose's default size (5 MiB), and an interval suited to a quick local run (Firehose's default is 300 s). */
export const defaultBufferingHints: BufferingHints = { sizeBytes: 5 * 1024 * 1024, intervalMs: 1_000 };

export interface DeliveryStreamConfig {
  /** Names the files: `<prefix>YYYY/MM/DD/HH/<name>-1-…`. */
  readonly name: string;
  /** Where the files go, relative to the lake folder, e.g. `raw/`. */
  readonly prefix: string;
  /** Record-format conversion: absent or JSON, the records as they come; Parquet, through the table's schema. */
  readonly format?: RecordFormat | undefined;
}

export interface ProcessorSettings {
  readonly processor: FirehoseProcessor;
  /** Why a record was answered ProcessingFailed, for the error file. */
  readonly failureReason?: FailureReason | undefined;
  readonly lambdaArn?: string;
  /** Retries of a failed invocation; Firehose's default is 3. */
  readonly retries?: number;
  readonly retryDelayMs?: number;
  /** Largest invocation payload; never above Lambda's 6 MB. */
  readonly maxPayloadBytes?: number;
}

export interface DeliveryStreamOptions {
  readonly lakeDir: string;
  readonly kinesis: KinesisClient;
  /** The Kinesis stream read from. */
  readonly streamName: string;
  readonly deliveryStream: DeliveryStreamConfig;
  /** Present: records are transformed before delivery (Firehose's data transformation). */
  readonly transformation?: ProcessorSettings | undefined;
  readonly buffering?: Partial<BufferingHints> | undefined;
  /** Pause between reads once every shard is caught up. */
  readonly pollIntervalMs?: number;
  /** GetRecords `Limit` (Kinesis allows up to 10,000). */
  readonly getRecordsLimit?: number;
  /** Called after each delivery is checkpointed (progress). */
  readonly onDelivery?: ((delivery: Delivery) => void) | undefined;
  /** Fault injection: runs after a delivery's files are durable and before its checkpoint is saved. */
  readonly beforeCheckpoint?: ((delivery: Delivery) => Promise<void> | void) | undefined;
  /** Waits between failed reads: Kinesis unreachable or throttling is retried for as long as it lasts. */
  readonly readRetry?: BackoffPolicy | undefined;
  /** Called when reads start failing (an outage begins) and when one succeeds again (it ends). */
  readonly onReadOutage?: ((outage: ReadOutage) => void) | undefined;
}

/** Kinesis reads failing, then succeeding again: what the demo reports. */
export type ReadOutage =
  | { readonly kind: 'started'; readonly deliveryStream: string; readonly error: string }
  | { readonly kind: 'ended'; readonly deliveryStream: string; readonly downMs: number; readonly failedReads: number };

/** Default waits between failed reads: quick at first, then every 5 s until Kinesis answers. */
export const defaultReadRetry: BackoffPolicy = { baseMs: 200, maxMs: 5_000 };

/** One flush of the buffer. */
export interface Delivery {
  readonly records: number;
  readonly delivered: number;
  readonly dropped: number;
  readonly failed: number;
  /** Lake-relative keys written: the data file (absent when nothing was `Ok`) and the error file. */
  readonly dataKey: string | undefined;
  readonly errorKey: string | undefined;
  /** Shard positions this delivery checkpoints. */
  readonly positions: Readonly<Record<string, string>>;
}

export interface DeliveryStats {
  readonly deliveryStream: string;
  readonly recordsRead: number;
  readonly recordsDelivered: number;
  readonly recordsDropped: number;
  readonly recordsFailed: number;
  readonly bytesDelivered: number;
  readonly invocations: number;
  /** Lake-relative keys of the data files and error files this run wrote. */
  readonly dataFiles: readonly string[];
  readonly errorFiles: readonly string[];
  /** Where each shard started: the checkpointed sequence number, or TRIM_HORIZON. */
  readonly startedFrom: Readonly<Record<string, string>>;
}

export interface DeliveryStream {
  readonly name: string;
  stats(): DeliveryStats;
  /** Resolves once everything in the stream when it was called is delivered, flushed and checkpointed. */
  drain(): Promise<DeliveryStats>;
  /** Flushes what is buffered and stops reading. */
  stop(): Promise<DeliveryStats>;
}

export class DeliveryStreamFailedError extends Error {
  override readonly name = 'DeliveryStreamFailed';
}
/** Writing a file or its checkpoint failed: nothing was lost, but the stream cannot go on. */
export class DeliveryWriteError extends Error {
  override readonly name = 'DeliveryWriteError';
}
export class DeliveryStreamStoppedError extends Error {
  override readonly name = 'DeliveryStreamStopped';
}

const defaultLambdaArn = (source: SourceStream) => `arn:aws:lambda:${source.region}:${source.account}:function:brewlake-transform`;

export async function startDeliveryStream(options: DeliveryStreamOptions): Promise<DeliveryStream> {
  const { lakeDir, kinesis, streamName, deliveryStream } = options;
  const hints: BufferingHints = { ...defaultBufferingHints, ...options.buffering };
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  const limit = options.getRecordsLimit ?? 10_000;
  const readRetry = options.readRetry ?? defaultReadRetry;

  const source = await describeSourceStream(kinesis, streamName);
  const store = checkpointStore(lakeDir, deliveryStream.name);
  await removeLeftoverTempFiles(tempFolder(lakeDir, deliveryStream.name));
  const saved = await store.load(source);
  let positions: Record<string, string> = { ...saved?.shards };
  const shardIds = await listShardIds(kinesis, streamName);
  const readers = shardIds.map((id) => new ShardReader(kinesis, streamName, id, positions[id], limit));
  const startedFrom = Object.fromEntries(shardIds.map((id) => [id, positions[id] ?? 'TRIM_HORIZON']));

  const transformation = options.transformation && {
    processor: options.transformation.processor,
    failureReason: options.transformation.failureReason,
    deliveryStreamArn: `arn:aws:firehose:${source.region}:${source.account}:deliverystream/${deliveryStream.name}`,
    sourceKinesisStreamArn: source.streamArn,
    region: source.region,
    lambdaArn: options.transformation.lambdaArn ?? defaultLambdaArn(source),
    retries: options.transformation.retries ?? 3,
    retryDelayMs: options.transformation.retryDelayMs ?? 100,
    maxPayloadBytes: options.transformation.maxPayloadBytes ?? lambdaPayloadLimitBytes,
  };

  const stats = {
    recordsRead: 0,
    recordsDelivered: 0,
    recordsDropped: 0,
    recordsFailed: 0,
    bytesDelivered: 0,
    invocations: 0,
    dataFiles: [] as string[],
    errorFiles: [] as string[],
  };
  const snapshot = (): DeliveryStats => ({
    deliveryStream: deliveryStream.name,
    ...stats,
    dataFiles: [...stats.dataFiles],
    errorFiles: [...stats.errorFiles],
    startedFrom,
  });

  let buffer: SourceRecord[] = [];
  let bufferedBytes = 0;
  let bufferedSince = 0;

  async function flush(): Promise<void> {
    if (buffer.length === 0) return;
    const records = buffer;
    buffer = [];
    bufferedBytes = 0;
    try {
      await deliver(records);
    } catch (error) {
      // Not delivered, not checkpointed: the records go back in front of the buffer, and the
      // failure stops the stream (a read retry must not carry on past them).
      buffer = [...records, ...buffer];
      bufferedBytes = buffer.reduce((n, r) => n + r.data.length, 0);
      throw new DeliveryWriteError(`delivery stream ${deliveryStream.name}: could not deliver ${records.length} record(s): ${describe(error)}`, { cause: error });
    }
  }

  async function deliver(records: SourceRecord[]): Promise<void> {
    const covered: Record<string, string> = {};
    for (const r of records) covered[r.shardId] = r.sequenceNumber;

    let ok: Uint8Array[];
    let failed: FirehoseErrorRecord[] = [];
    let dropped = 0;
    if (transformation) {
      const outcome = await transformRecords(records, transformation);
      ({ ok, failed, dropped } = outcome);
      stats.invocations += outcome.invocations;
    } else {
      ({ ok, failed } = readableLines(records));
    }

    const time = new Date();
    let errorKey: string | undefined;
    if (failed.length > 0) {
      errorKey = await writeFirehoseObject({ lakeDir, deliveryStream: deliveryStream.name, prefix: processingFailedPrefix, time, data: errorFileContent(failed) });
    }
    let dataKey: string | undefined;
    if (ok.length > 0) {
      const data = Buffer.concat(ok);
      dataKey = await writeFirehoseObject({ lakeDir, deliveryStream: deliveryStream.name, prefix: deliveryStream.prefix, time, data, format: deliveryStream.format });
      stats.bytesDelivered += data.length;
    }
    const delivery: Delivery = { records: records.length, delivered: ok.length, dropped, failed: failed.length, dataKey, errorKey, positions: covered };

    await options.beforeCheckpoint?.(delivery);
    positions = { ...positions, ...covered };
    const checkpoint: Checkpoint = { streamArn: source.streamArn, streamCreatedAt: source.createdAt.toISOString(), shards: positions };
    await store.save(checkpoint);

    stats.recordsDelivered += ok.length;
    stats.recordsDropped += dropped;
    stats.recordsFailed += failed.length;
    if (dataKey) stats.dataFiles.push(dataKey);
    if (errorKey) stats.errorFiles.push(errorKey);
    options.onDelivery?.(delivery);
  }

  // ---- the loop -----------------------------------------------------------------------
  interface DrainRequest {
    readonly round: number;
    resolve(stats: DeliveryStats): void;
    reject(error: Error): void;
  }
  let drains: DrainRequest[] = [];
  let round = 0;
  /** Per reader: the last round whose read found the shard caught up. */
  const caughtUpRound = readers.map(() => 0);
  let stopping = false;
  let failure: Error | undefined;
  let wake: () => void = () => {};

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  /**
   * Reads every shard once. A reader advances as soon as its read answers, so every read
   * that answered is buffered, even when another shard's read failed: dropping it would let
   * the next checkpoint pass records never delivered. The first failure is thrown after.
   */
  async function readRound(): Promise<void> {
    round++;
    const reads = await Promise.allSettled(readers.map((r) => r.read()));
    let readFailure: { reason: unknown } | undefined;
    for (const [i, settled] of reads.entries()) {
      if (settled.status === 'rejected') {
        readFailure ??= { reason: settled.reason };
        continue;
      }
      const read = settled.value;
      if (read.caughtUp) caughtUpRound[i] = round;
      for (const record of read.records) {
        stats.recordsRead++;
        if (buffer.length === 0) bufferedSince = Date.now();
        buffer.push(record);
        bufferedBytes += record.data.length;
        if (bufferedBytes >= hints.sizeBytes) await flush();
      }
    }
    if (readFailure) throw readFailure.reason;
  }

  async function run(): Promise<void> {
    let readErrors = 0;
    let outageStartedAt = 0;
    while (!stopping) {
      try {
        await readRound();
      } catch (error) {
        if (!isReadError(error)) throw error;
        // An outage, however long, is waited out: nothing read is lost, and what is
        // buffered still goes out on its interval (the lake does not wait for Kinesis).
        if (readErrors++ === 0) {
          outageStartedAt = Date.now();
          options.onReadOutage?.({ kind: 'started', deliveryStream: deliveryStream.name, error: describe(error) });
        }
        if (buffer.length > 0 && Date.now() - bufferedSince >= hints.intervalMs) await flush();
        await sleep(backoffDelay(Math.min(readErrors, 30), readRetry));
        continue;
      }
      if (readErrors > 0) {
        options.onReadOutage?.({ kind: 'ended', deliveryStream: deliveryStream.name, downMs: Date.now() - outageStartedAt, failedReads: readErrors });
        readErrors = 0;
      }
      const caughtUp = Math.min(...caughtUpRound);
      const satisfied = drains.filter((d) => d.round <= caughtUp);
      if (satisfied.length > 0) {
        await flush();
        drains = drains.filter((d) => d.round > caughtUp);
        for (const d of satisfied) d.resolve(snapshot());
      } else if (buffer.length > 0 && Date.now() - bufferedSince >= hints.intervalMs) {
        await flush();
      }
      // At the tip of every shard, wait a poll interval so the next reads come back with a
      // batch rather than a trickle; a pending drain wants the next read at once.
      const atTip = caughtUpRound.every((r) => r === round);
      if (atTip && drains.length === 0) {
        const untilInterval = buffer.length > 0 ? hints.intervalMs - (Date.now() - bufferedSince) : pollIntervalMs;
        await sleep(Math.max(0, Math.min(pollIntervalMs, untilInterval)));
      }
    }
    await flush();
  }

  const loop = run().catch((error: unknown) => {
    failure = new DeliveryStreamFailedError(`delivery stream ${deliveryStream.name}: ${describe(error)}`, { cause: error });
  }).finally(() => {
    const pending = drains;
    drains = [];
    for (const d of pending) d.reject(failure ?? new DeliveryStreamStoppedError(`delivery stream ${deliveryStream.name} stopped before the drain completed`));
  });

  return {
    name: deliveryStream.name,
    stats: snapshot,
    drain() {
      if (failure) return Promise.reject(failure);
      if (stopping) return Promise.reject(new DeliveryStreamStoppedError(`delivery stream ${deliveryStream.name} is stopped`));
      return new Promise<DeliveryStats>((resolve, reject) => {
        drains.push({ round: round + 1, resolve, reject });
        wake();
      });
    },
    async stop() {
      stopping = true;
      wake();
      await loop;
      if (failure) throw failure;
      return snapshot();
    },
  };
}

async function listShardIds(kinesis: KinesisClient, streamName: string): Promise<string[]> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await kinesis.send(new ListShardsCommand(nextToken ? { NextToken: nextToken } : { StreamName: streamName }));
    ids.push(...(page.Shards ?? []).flatMap((s) => (s.ShardId ? [s.ShardId] : [])));
    nextToken = page.NextToken;
  } while (nextToken);
  return ids;
}

/** A Kinesis call that failed (throttled, iterator expired, connection dropped): worth another read. */
const isReadError = (error: unknown) =>
  error instanceof Error && !(error instanceof DeliveryWriteError) && ('$metadata' in error || 'code' in error || error.name === 'TimeoutError');

/**
 * Without a transformation the records are the table's lines as they came, so one a lake
 * reader refuses (not UTF-8, not one JSON object line, a lone surrogate) would make the whole
 * table unreadable: it goes to the error prefix whole, with the reason, and nothing is lost.
 */
function readableLines(records: readonly SourceRecord[]): { ok: Uint8Array[]; failed: FirehoseErrorRecord[] } {
  const ok: Uint8Array[] = [];
  const failed: FirehoseErrorRecord[] = [];
  for (const r of records) {
    const reason = unreadableLineReason(r.data);
    if (reason === undefined) ok.push(r.data);
    else {
      failed.push({
        attemptsMade: 1,
        arrivalTimestamp: r.arrivedAt,
        errorCode: 'Delivery.UnreadableRecord',
        errorMessage: reason,
        attemptEndingTimestamp: Date.now(),
        rawData: Buffer.from(r.data).toString('base64'),
        lambdaArn: '',
      });
    }
  }
  return { ok, failed };
}

const describe = (error: unknown) => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

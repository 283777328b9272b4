/**
 * Writes beers to the Kinesis stream with PutRecords, within the API's limits (500
 * records and 5 MiB a call, 1 MiB a record), retrying only the entries Kinesis reports
 * as failed. A record is never dropped silently: what could not be written is an error
 * that says how many.
 */
import { PutRecordsCommand, type KinesisClient, type PutRecordsRequestEntry } from '@aws-sdk/client-kinesis';
import { backoffDelay, sleep, type BackoffPolicy } from '../retry-backoff';
import { hasLoneSurrogate, loneSurrogatePath, tooDeepReason, wellFormedText } from '../../glue/lake-text';
import type { CollectedBeer } from '../punkapi/beer-source';

export const putRecordsLimits = {
  recordsPerCall: 500,
  bytesPerCall: 5 * 1024 * 1024,
  bytesPerRecord: 1024 * 1024,
} as const;

export interface PutOptions {
  /** Tries per entry, the first included. */
  readonly maxAttempts?: number;
  readonly backoff?: BackoffPolicy;
  readonly random?: () => number;
}

export interface PutSummary {
  readonly put: number;
  readonly calls: number;
  /** Entries sent again after Kinesis reported them failed. */
  readonly retriedEntries: number;
  /** Beers whose text held a lone UTF-16 surrogate, written as U+FFFD: the beer id and the first such field. */
  readonly repairedText: ReadonlyArray<{ readonly id: number; readonly field: string }>;
  /**
   * Beers the stream or the lake cannot hold (a record over Kinesis's 1 MiB, or nested deeper
   * than glue/lake-text's limit): not written, each with its reason; the rest of the batch is.
   */
  readonly skipped: ReadonlyArray<SkippedBeer>;
}

export interface SkippedBeer {
  readonly id: number;
  readonly reason: string;
}

export class PutRecordsIncomplete extends Error {
  override readonly name = 'PutRecordsIncomplete';
  readonly notWritten: number;
  constructor(
    /** The beers Kinesis did not take, in their order: put them again to lose nothing. */
    readonly notPut: readonly CollectedBeer[],
    /** How many of the batch were written before the bound ran out. */
    readonly written: number,
    readonly lastError: string,
  ) {
    super(`${notPut.length} record(s) not written to Kinesis after retries (${written} written); last error: ${lastError}`);
    this.notWritten = notPut.length;
  }
}

/** A beer as a Kinesis entry: one JSON line, keyed by its id (so a beer's versions stay in order on one shard). */
export function beerRecord(beer: CollectedBeer): PutRecordsRequestEntry & { Data: Uint8Array; PartitionKey: string } {
  return { Data: Buffer.from(`${JSON.stringify(wellFormedValue(beer))}\n`), PartitionKey: String(beer.id) };
}

/**
 * `value` with every lone UTF-16 surrogate (in a string or a key) written as U+FFFD. Raw is
 * written as collected, but a lone surrogate has no UTF-8 form: JSON.stringify would write an
 * escape (`\ud800`) that DuckDB and Athena's JSON SerDe refuse, and one such upstream beer
 * would make the whole raw table unreadable. U+FFFD is what any UTF-8 encoder writes instead.
 */
function wellFormedValue(value: unknown): unknown {
  if (typeof value === 'string') return wellFormedText(value);
  if (typeof value !== 'object' || value === null || loneSurrogatePath(value) === undefined) return value;
  if (Array.isArray(value)) return value.map(wellFormedValue);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [hasLoneSurrogate(k) ? wellFormedText(k) : k, wellFormedValue(v)]));
}

const entryBytes = (e: { Data: Uint8Array; PartitionKey: string }) => e.Data.byteLength + Buffer.byteLength(e.PartitionKey);

/** Splits entries into calls within the per-call record and byte limits, keeping their order. */
export function chunkEntries<E extends { Data: Uint8Array; PartitionKey: string }>(entries: readonly E[]): E[][] {
  const chunks: E[][] = [];
  let chunk: E[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entryBytes(entry);
    if (chunk.length === putRecordsLimits.recordsPerCall || (chunk.length > 0 && bytes + size > putRecordsLimits.bytesPerCall)) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(entry);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export async function putBeerRecords(
  kinesis: KinesisClient,
  streamName: string,
  batch: readonly CollectedBeer[],
  options: PutOptions = {},
): Promise<PutSummary> {
  const maxAttempts = options.maxAttempts ?? 5;
  const backoff = options.backoff ?? { baseMs: 100, maxMs: 2_000 };
  // Checked before any other walk over the beer: one nested 100,000 deep overflowed the stack
  // here and stopped the backfill at its page.
  const skipped: SkippedBeer[] = [];
  const deepEnough = batch.filter((beer) => {
    const reason = tooDeepReason(beer);
    if (reason) skipped.push({ id: beer.id, reason });
    return reason === undefined;
  });
  // A record Kinesis refuses would fail every call it is in, page after page: one beer that
  // large (the upstream may answer up to 4 MiB) is skipped with its size, as a deep one is.
  const beers: CollectedBeer[] = [];
  const entries: ReturnType<typeof beerRecord>[] = [];
  for (const beer of deepEnough) {
    const entry = beerRecord(beer);
    const bytes = entryBytes(entry);
    if (bytes > putRecordsLimits.bytesPerRecord) {
      skipped.push({ id: beer.id, reason: `record is ${bytes} bytes, over Kinesis's ${putRecordsLimits.bytesPerRecord}-byte limit` });
    } else {
      beers.push(beer);
      entries.push(entry);
    }
  }
  const repairedText = beers.flatMap((beer) => {
    const field = loneSurrogatePath(beer);
    return field === undefined ? [] : [{ id: beer.id, field }];
  });

  let put = 0;
  let calls = 0;
  let retriedEntries = 0;
  // Chunked by position, so that what Kinesis did not take can be named by its beer.
  const positions = entries.map((entry, at) => ({ ...entry, at }));
  const chunks = chunkEntries(positions);
  for (const [c, chunk] of chunks.entries()) {
    let pending = chunk.map((p) => p.at);
    let lastError = '';
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > 1) {
        retriedEntries += pending.length;
        await sleep(backoffDelay(attempt - 1, backoff, options.random));
      }
      calls++;
      try {
        const answer = await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: pending.map((at) => entries[at]!) }));
        const results = answer.Records ?? [];
        const failed = pending.filter((_, i) => results[i]?.ErrorCode !== undefined || results[i] === undefined);
        const failure = results.find((r) => r.ErrorCode);
        if (failure) lastError = `${failure.ErrorCode}: ${failure.ErrorMessage ?? ''}`.trim();
        put += pending.length - failed.length;
        pending = failed;
      } catch (error) {
        // The whole call failed (throttled, unreachable): every entry in it is still pending.
        lastError = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      if (pending.length > 0 && attempt >= maxAttempts) {
        // Later chunks were never sent: they are not written either.
        const notPut = [...pending, ...chunks.slice(c + 1).flatMap((later) => later.map((p) => p.at))].sort((a, b) => a - b).map((at) => beers[at]!);
        throw new PutRecordsIncomplete(notPut, put, lastError);
      }
    }
  }
  return { put, calls, retriedEntries, repairedText, skipped };
}

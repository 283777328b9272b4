/**
 * Reads one shard from a position: AFTER_SEQUENCE_NUMBER of the checkpoint, else
 * TRIM_HORIZON. Keeps its iterator fresh: an expired or rejected iterator is replaced
 * from the last record it returned, so a failed read never skips or repeats a record.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  type _Record as KinesisRecord,
} from '@aws-sdk/client-kinesis';
import type { SourceRecord } from './source-record';

export interface ShardRead {
  readonly records: SourceRecord[];
  /** True when this read reached the end of what the shard held when it was asked. */
  readonly caughtUp: boolean;
}

export class ShardReader {
  private iterator: string | undefined;
  private closed = false;
  private lastSequenceNumber: string | undefined;

  constructor(
    private readonly client: KinesisClient,
    private readonly streamName: string,
    readonly shardId: string,
    /** Sequence number of the last delivered record, from the checkpoint. */
    startAfter: string | undefined,
    private readonly limit: number,
  ) {
    this.lastSequenceNumber = startAfter;
  }

  async read(): Promise<ShardRead> {
    if (this.closed) return { records: [], caughtUp: true };
    this.iterator ??= await this.freshIterator();
    let answer;
    try {
      answer = await this.client.send(new GetRecordsCommand({ ShardIterator: this.iterator, Limit: this.limit }));
    } catch (error) {
      // The next read asks for a new iterator from the last record seen.
      this.iterator = undefined;
      throw error;
    }
    const records = (answer.Records ?? []).map((r) => this.toSourceRecord(r));
    const last = records.at(-1);
    if (last) this.lastSequenceNumber = last.sequenceNumber;
    this.iterator = answer.NextShardIterator;
    // A closed shard (after a reshard) has no next iterator: everything in it has been read.
    if (!this.iterator) this.closed = true;
    const caughtUp = this.closed || (records.length < this.limit && (answer.MillisBehindLatest ?? 0) === 0);
    return { records, caughtUp };
  }

  private async freshIterator(): Promise<string | undefined> {
    const from = this.lastSequenceNumber;
    const answer = await this.client.send(
      new GetShardIteratorCommand({
        StreamName: this.streamName,
        ShardId: this.shardId,
        ...(from ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: from } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return answer.ShardIterator;
  }

  private toSourceRecord(r: KinesisRecord): SourceRecord {
    return {
      shardId: this.shardId,
      sequenceNumber: r.SequenceNumber ?? '',
      partitionKey: r.PartitionKey ?? '',
      arrivedAt: r.ApproximateArrivalTimestamp?.getTime() ?? Date.now(),
      data: r.Data ?? new Uint8Array(),
    };
  }
}

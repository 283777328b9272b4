/** One Kinesis record as the delivery loop holds it between reading and delivering. */
export interface SourceRecord {
  readonly shardId: string;
  readonly sequenceNumber: string;
  readonly partitionKey: string;
  /** ApproximateArrivalTimestamp, epoch milliseconds. */
  readonly arrivedAt: number;
  readonly data: Uint8Array;
}

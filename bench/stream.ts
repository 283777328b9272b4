/**
 * The local stream end to end: 50,000 real beer records put into kinesalite with
 * PutRecords, delivered into the lake by the raw and the cleaned (transformed) delivery
 * loops, and drained — against kinesalite's own rate in the same run: the same records
 * put, then read back with GetRecords, no lake. Each on a fresh emulator.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { deliveryStreams } from '../glue/layout';
import { createKinesisClient } from '../lambdas/kinesis-client';
import { catalogue } from '../lambdas/punkapi/catalogue';
import { failureReason, handler as transformHandler } from '../lambdas/transform/handler';
import { startDeliveryStream } from '../local/firehose/delivery-stream';
import { ensureStream, startKinesis } from '../local/kinesis';
import { localStream } from '../local/lake-stack';
import { fmt, type Bench } from './table';

const recordCount = 50_000;
const target = 0.5;

const records = Array.from({ length: recordCount }, (_, i) => {
  const beer = catalogue[i % catalogue.length]!;
  return { Data: Buffer.from(`${JSON.stringify(beer)}\n`), PartitionKey: String(beer.id) };
});

async function putAll(client: KinesisClient, streamName: string): Promise<void> {
  for (let start = 0; start < records.length; start += 500) {
    const answer = await client.send(new PutRecordsCommand({ StreamName: streamName, Records: records.slice(start, start + 500) }));
    if (answer.FailedRecordCount) throw new Error(`${answer.FailedRecordCount} records failed to put`);
  }
}

async function getAll(client: KinesisClient, streamName: string): Promise<number> {
  const { Shards = [] } = await client.send(new ListShardsCommand({ StreamName: streamName }));
  let read = 0;
  for (const shard of Shards) {
    let iterator = (await client.send(new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator) {
      const answer = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      const n = answer.Records?.length ?? 0;
      read += n;
      iterator = n === 0 ? undefined : answer.NextShardIterator;
    }
  }
  return read;
}

async function withStream<T>(run: (client: KinesisClient, streamName: string) => Promise<T>): Promise<T> {
  const kinesis = await startKinesis();
  const client = createKinesisClient({ endpoint: kinesis.endpoint });
  try {
    await ensureStream(client, localStream.name, localStream.shardCount);
    return await run(client, localStream.name);
  } finally {
    client.destroy();
    await kinesis.close();
  }
}

/** Seconds for kinesalite alone: put everything, then read everything back. */
const kinesaliteSeconds = () =>
  withStream(async (client, streamName) => {
    const t0 = performance.now();
    await putAll(client, streamName);
    const read = await getAll(client, streamName);
    if (read !== recordCount) throw new Error(`read back ${read} of ${recordCount} records`);
    return (performance.now() - t0) / 1000;
  });

/** Seconds from the first put until both delivery streams have drained into a fresh lake. */
const lakeSeconds = () =>
  withStream(async (client, streamName) => {
    const lakeDir = await mkdtemp(join(tmpdir(), 'brewlake-bench-stream-'));
    try {
      const common = { lakeDir, kinesis: client, streamName };
      const raw = await startDeliveryStream({ ...common, deliveryStream: deliveryStreams.raw });
      const cleaned = await startDeliveryStream({ ...common, deliveryStream: deliveryStreams.cleaned, transformation: { processor: transformHandler, failureReason } });
      const t0 = performance.now();
      await putAll(client, streamName);
      const [rawStats, cleanedStats] = await Promise.all([raw.drain(), cleaned.drain()]);
      const seconds = (performance.now() - t0) / 1000;
      await Promise.all([raw.stop(), cleaned.stop()]);
      const cleanedTotal = cleanedStats.recordsDelivered + cleanedStats.recordsFailed + cleanedStats.recordsDropped;
      if (rawStats.recordsDelivered !== recordCount || cleanedTotal !== recordCount) {
        throw new Error(`delivered raw ${rawStats.recordsDelivered}, cleaned ${cleanedTotal} of ${recordCount}`);
      }
      return seconds;
    } finally {
      await rm(lakeDir, { recursive: true, force: true });
    }
  });

export const streamBench: Bench = {
  title: 'stream',
  async run() {
    const reference = recordCount / (await kinesaliteSeconds());
    const value = recordCount / (await lakeSeconds());
    return [
      {
        name: `stream: ${recordCount.toLocaleString('en-US')} records into the lake (raw + cleaned, drained)`,
        value: fmt.rate(value, 'records'),
        reference: `kinesalite put+get ${fmt.rate(reference, 'records')}`,
        target: `>= ${target}x`,
        pass: (ratio) => ratio >= target,
      },
    ];
  },
};

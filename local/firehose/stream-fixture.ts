/** Test fixture: kinesalite with one stream, a client, and a way to put lines into it. */
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { createKinesisClient } from '../../lambdas/kinesis-client';
import { ensureStream, startKinesis, type LocalKinesis, type StreamDescription } from '../kinesis';

export interface StreamFixture {
  readonly kinesis: LocalKinesis;
  readonly client: KinesisClient;
  readonly stream: StreamDescription;
  /** Puts each line as one record (partition key = its index unless given). */
  put(lines: readonly string[], partitionKey?: (line: string, index: number) => string): Promise<void>;
  close(): Promise<void>;
}

export async function startStreamFixture(shardCount = 2, streamName = 'beers'): Promise<StreamFixture> {
  const kinesis = await startKinesis();
  const client = createKinesisClient({ endpoint: kinesis.endpoint });
  const stream = await ensureStream(client, streamName, shardCount);
  return {
    kinesis,
    client,
    stream,
    async put(lines, partitionKey = (_line, i) => String(i)) {
      for (let start = 0; start < lines.length; start += 500) {
        const chunk = lines.slice(start, start + 500);
        const answer = await client.send(
          new PutRecordsCommand({
            StreamName: streamName,
            Records: chunk.map((line, i) => ({ Data: Buffer.from(line), PartitionKey: partitionKey(line, start + i) })),
          }),
        );
        if (answer.FailedRecordCount) throw new Error(`${answer.FailedRecordCount} records failed to put`);
      }
    },
    async close() {
      client.destroy();
      await kinesis.close();
    },
  };
}

/**
 * The real Kinesis API on loopback: kinesalite, in memory, for the local lake, its tests
 * and the stream benchmark.
 */
import type { AddressInfo } from 'node:net';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import kinesalite from 'kinesalite';
import { httpOrigin } from '../lambdas/http-origin';

export interface LocalKinesis {
  /** e.g. `http://127.0.0.1:41233`, for `createKinesisClient({ endpoint })`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

export interface LocalKinesisOptions {
  readonly host?: string;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Most shards all streams together may hold. */
  readonly shardLimit?: number;
}

export async function startKinesis(options: LocalKinesisOptions = {}): Promise<LocalKinesis> {
  const host = options.host ?? '127.0.0.1';
  // Zero delays: a local stream is ACTIVE as soon as it is created.
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: options.shardLimit ?? 50 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: httpOrigin(host, port),
    close: () =>
      new Promise<void>((resolve, reject) => {
        // Keep-alive sockets from SDK clients would hold `close` open until they time out.
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

export interface StreamDescription {
  readonly streamName: string;
  readonly streamArn: string;
  /** When the stream was created: with the ARN, it tells one incarnation of a name from the next. */
  readonly createdAt: Date;
  readonly shardCount: number;
}

/** Creates the stream unless it exists, then waits until it is ACTIVE. */
export async function ensureStream(
  client: KinesisClient,
  streamName: string,
  shardCount: number,
  timeoutMs = 30_000,
): Promise<StreamDescription> {
  try {
    await client.send(new CreateStreamCommand({ StreamName: streamName, ShardCount: shardCount }));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { StreamDescriptionSummary: s } = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }));
      if (s?.StreamStatus === 'ACTIVE') {
        return {
          streamName,
          streamArn: s.StreamARN ?? '',
          createdAt: s.StreamCreationTimestamp ?? new Date(0),
          shardCount: s.OpenShardCount ?? shardCount,
        };
      }
    } catch (error) {
      if (!(error instanceof ResourceNotFoundException)) throw error;
    }
    if (Date.now() > deadline) throw new StreamNotActiveError(streamName, timeoutMs);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export class StreamNotActiveError extends Error {
  override readonly name = 'StreamNotActive';
  constructor(streamName: string, timeoutMs: number) {
    super(`Kinesis stream ${streamName} did not become ACTIVE within ${timeoutMs} ms`);
  }
}

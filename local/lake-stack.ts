/**
 * The whole local lake in one call: the PunkAPI server over the bundled catalogue,
 * kinesalite with the beer stream, and the two Firehose delivery loops (raw, and cleaned
 * through the transform handler) writing into the lake folder.
 */
import { cleanedBeerTable } from '../glue/schema';
import { recordFormatFromEnv } from './firehose/record-format-conversion';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { deliveryStreams } from '../glue/layout';
import { createKinesisClient } from '../lambdas/kinesis-client';
import {
  startDeliveryStream,
  type BufferingHints,
  type Delivery,
  type DeliveryStats,
  type DeliveryStream,
  type ProcessorSettings,
  type ReadOutage,
} from './firehose/delivery-stream';
import { ensureStream, startKinesis } from './kinesis';

/** The local Kinesis stream: its name and shard count, declared once. */
export const localStream = { name: 'brewlake-beers', shardCount: 2 } as const;

export interface PunkApiServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface LocalLakeOptions {
  readonly lakeDir: string;
  readonly transformation: ProcessorSettings;
  readonly startPunkApi: () => Promise<PunkApiServer>;
  readonly streamName?: string;
  readonly shardCount?: number;
  readonly buffering?: Partial<BufferingHints>;
  readonly pollIntervalMs?: number;
  /** Progress: called after each delivery (one flush of one stream), with both streams' stats. */
  readonly onDelivery?: (stream: 'raw' | 'cleaned', delivery: Delivery, stats: LakeDeliveryStats) => void;
  /** A delivery stream's reads from Kinesis failing (the outage is waited out), then answering again. */
  readonly onReadOutage?: (outage: ReadOutage) => void;
}

export interface LakeDeliveryStats {
  readonly raw: DeliveryStats;
  readonly cleaned: DeliveryStats;
}

export interface LocalLake {
  readonly lakeDir: string;
  readonly punkApiUrl: string;
  readonly kinesisEndpoint: string;
  readonly streamName: string;
  /** A client for the local stream (the ingest handler writes with it). */
  readonly kinesis: KinesisClient;
  stats(): LakeDeliveryStats;
  /** Resolves once everything put so far is delivered into both zones. */
  drain(): Promise<LakeDeliveryStats>;
  /** Flushes both delivery streams, then stops every server. */
  stop(): Promise<LakeDeliveryStats>;
}

export async function startLocalLake(options: LocalLakeOptions): Promise<LocalLake> {
  const streamName = options.streamName ?? localStream.name;
  const cleanups: (() => Promise<void>)[] = [];
  const cleanUp = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
  try {
    const punkApi = await options.startPunkApi();
    cleanups.push(() => punkApi.close());
    const kinesisServer = await startKinesis();
    cleanups.push(() => kinesisServer.close());
    const kinesis = createKinesisClient({ endpoint: kinesisServer.endpoint });
    cleanups.push(async () => kinesis.destroy());
    await ensureStream(kinesis, streamName, options.shardCount ?? localStream.shardCount);

    const common = {
      lakeDir: options.lakeDir,
      kinesis,
      streamName,
      buffering: options.buffering,
      ...(options.pollIntervalMs !== undefined && { pollIntervalMs: options.pollIntervalMs }),
      onReadOutage: options.onReadOutage,
    };
    const streams: { raw?: DeliveryStream; cleaned?: DeliveryStream } = {};
    const progress = (name: 'raw' | 'cleaned') => (delivery: Delivery) => {
      if (streams.raw && streams.cleaned) options.onDelivery?.(name, delivery, { raw: streams.raw.stats(), cleaned: streams.cleaned.stats() });
    };
    streams.raw = await startDeliveryStream({ ...common, deliveryStream: deliveryStreams.raw, onDelivery: progress('raw') });
    const raw = streams.raw;
    cleanups.push(async () => void (await raw.stop()));
    streams.cleaned = await startDeliveryStream({
      ...common,
      deliveryStream: { ...deliveryStreams.cleaned, format: recordFormatFromEnv(cleanedBeerTable) },
      transformation: options.transformation,
      onDelivery: progress('cleaned'),
    });
    const cleaned = streams.cleaned;
    cleanups.push(async () => void (await cleaned.stop()));

    let stopped: Promise<LakeDeliveryStats> | undefined;
    return {
      lakeDir: options.lakeDir,
      punkApiUrl: punkApi.url,
      kinesisEndpoint: kinesisServer.endpoint,
      streamName,
      kinesis,
      stats: () => ({ raw: raw.stats(), cleaned: cleaned.stats() }),
      async drain() {
        const [r, c] = await Promise.all([raw.drain(), cleaned.drain()]);
        return { raw: r, cleaned: c };
      },
      stop() {
        stopped ??= (async () => {
          // The delivery streams first: they flush into the lake while kinesalite is still up.
          const [r, c] = await Promise.allSettled([raw.stop(), cleaned.stop()]);
          cleanups.splice(-2);
          await cleanUp();
          if (r.status === 'rejected') throw r.reason;
          if (c.status === 'rejected') throw c.reason;
          return { raw: r.value, cleaned: c.value };
        })();
        return stopped;
      },
    };
  } catch (error) {
    await cleanUp().catch(() => {});
    throw error;
  }
}

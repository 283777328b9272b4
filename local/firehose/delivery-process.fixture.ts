/**
 * Test fixture: the raw and cleaned delivery loops in a process of their own, so a test
 * can kill it with SIGKILL mid-delivery and start it again on the same lake folder.
 *
 * Environment: KINESIS_ENDPOINT, STREAM_NAME, LAKE_DIR, BUFFER_BYTES; PAUSE_AT_DELIVERY=N
 * makes the raw loop stop dead after its Nth file is durable and before that file's
 * checkpoint is saved (it prints `paused`), the window where a crash duplicates records.
 * Prints one JSON line per event on stdout; exits 0 after draining both loops.
 */
import { deliveryStreams } from '../../glue/layout';
import { createKinesisClient } from '../../lambdas/kinesis-client';
import { startDeliveryStream, type DeliveryStreamOptions } from './delivery-stream';
import { cleanCatalogueBeer } from './catalogue-processor.fixture';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);

const pauseAt = Number(process.env.PAUSE_AT_DELIVERY ?? 0);
let rawDeliveries = 0;
const common: Omit<DeliveryStreamOptions, 'deliveryStream'> = {
  lakeDir: env('LAKE_DIR'),
  kinesis: createKinesisClient({ endpoint: env('KINESIS_ENDPOINT') }),
  streamName: env('STREAM_NAME'),
  buffering: { sizeBytes: Number(env('BUFFER_BYTES')), intervalMs: 60_000 },
  pollIntervalMs: 20,
  // Small reads, so the kill lands with most of the stream still unread.
  getRecordsLimit: 25,
};

const raw = await startDeliveryStream({
  ...common,
  deliveryStream: deliveryStreams.raw,
  onDelivery: (d) => say({ event: 'delivered', stream: 'raw', records: d.records, key: d.dataKey }),
  beforeCheckpoint: async () => {
    if (++rawDeliveries !== pauseAt) return;
    say({ event: 'paused' });
    await new Promise(() => {});
  },
});
const cleaned = await startDeliveryStream({
  ...common,
  deliveryStream: deliveryStreams.cleaned,
  transformation: { processor: cleanCatalogueBeer },
});
say({ event: 'started', raw: raw.stats().startedFrom, cleaned: cleaned.stats().startedFrom });
const [rawStats, cleanedStats] = await Promise.all([raw.drain(), cleaned.drain()]);
await Promise.all([raw.stop(), cleaned.stop()]);
say({ event: 'drained', raw: rawStats, cleaned: cleanedStats });
common.kinesis.destroy();

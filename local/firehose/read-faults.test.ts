/**
 * Kinesis failing under the delivery loop: a throttled read on one shard never loses what
 * the other shards' reads returned in the same round (at-least-once: no record skipped,
 * across a restart too), and an outage of any length is waited out, reported when it
 * starts and ends, and everything put is delivered once Kinesis answers again.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { deliveryStreams } from '../../glue/layout';
import { listLakeFiles, readLakeLines } from '../lake-files';
import { startDeliveryStream, type ReadOutage } from './delivery-stream';
import { socketHangUp, throttled, withKinesisFaults, type KinesisFault } from './kinesis-faults.fixture';
import { startStreamFixture, type StreamFixture } from './stream-fixture';

let fixture: StreamFixture | undefined;
let lakeDir: string | undefined;
afterEach(async () => {
  await fixture?.close();
  if (lakeDir) await rm(lakeDir, { recursive: true, force: true });
});

const beerLines = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `${JSON.stringify({ id: from + i, name: `beer ${from + i}` })}\n`);
const deliveredIds = async (dir: string) =>
  (await readLakeLines(dir, await listLakeFiles(dir, 'raw/'))).map((l) => (JSON.parse(l) as { id: number }).id).sort((a, b) => a - b);
const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

async function setUp(shards: number) {
  fixture = await startStreamFixture(shards);
  lakeDir = await mkdtemp(join(tmpdir(), 'brewlake-read-faults-'));
  return { fixture, lakeDir };
}

describe.each([2, 4])('a throttled read on one of %i shards', (shards) => {
  it('loses none of the records the other shards returned, before or after a restart', async () => {
    const { fixture, lakeDir } = await setUp(shards);
    await fixture.put(beerLines(365));
    const victim = `shardId-${String(shards - 1).padStart(12, '0')}`;
    let throttles = 0;
    // The last shard's first two GetRecords are throttled: the others' reads in those rounds answered.
    const fault: KinesisFault = (call) => (call.command === 'GetRecordsCommand' && call.shardId === victim && throttles++ < 2 ? throttled() : undefined);
    const start = (kinesis = fixture.client) =>
      startDeliveryStream({ lakeDir, kinesis, streamName: fixture.stream.streamName, deliveryStream: deliveryStreams.raw, pollIntervalMs: 10, readRetry: { baseMs: 1, maxMs: 5 } });

    const first = await start(withKinesisFaults(fixture.client, fault));
    const stats = await first.drain();
    await first.stop();
    expect(throttles).toBeGreaterThanOrEqual(2);
    expect(stats.recordsDelivered).toBe(365);

    // After a restart from the checkpoint, nothing put is missing.
    await fixture.put(beerLines(35, 366));
    const second = await start();
    await second.drain();
    await second.stop();
    expect(await deliveredIds(lakeDir)).toEqual(range(400));
  });
});

describe('a Kinesis outage', () => {
  it('is waited out however many reads fail, reported when it starts and ends, and everything is delivered after', async () => {
    const { fixture, lakeDir } = await setUp(2);
    await fixture.put(beerLines(100));
    let down = false;
    let failedCalls = 0;
    const fault: KinesisFault = () => (down ? (failedCalls++, socketHangUp()) : undefined);
    const outages: ReadOutage[] = [];
    const stream = await startDeliveryStream({
      lakeDir,
      kinesis: withKinesisFaults(fixture.client, fault),
      streamName: fixture.stream.streamName,
      deliveryStream: deliveryStreams.raw,
      pollIntervalMs: 5,
      readRetry: { baseMs: 1, maxMs: 4 },
      onReadOutage: (o) => outages.push(o),
    });
    await stream.drain();
    down = true;
    await fixture.put(beerLines(100, 101));
    // Far more failed read rounds (two calls each) than the old loop's limit of 8 (about 12 s at its pace).
    await expect.poll(() => failedCalls, { timeout: 5_000, interval: 10 }).toBeGreaterThan(40);
    expect(outages).toEqual([{ kind: 'started', deliveryStream: 'raw', error: 'Error: socket hang up' }]);
    down = false;
    const stats = await stream.drain();
    await stream.stop();
    expect(outages).toHaveLength(2);
    expect(outages[1]).toMatchObject({ kind: 'ended', deliveryStream: 'raw' });
    expect((outages[1] as Extract<ReadOutage, { kind: 'ended' }>).failedReads).toBeGreaterThan(16);
    expect(stats.recordsDelivered).toBe(200);
    expect(await deliveredIds(lakeDir)).toEqual(range(200));
  });
});

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deliveryStreams, processingFailedPrefix } from '../../glue/layout';
import { listLakeFiles, readLakeLines } from '../lake-files';
import { startDeliveryStream, type DeliveryStreamOptions } from './delivery-stream';
import type { FirehoseErrorRecord } from './error-record';
import { checkpointPath } from './state-folder';
import { startStreamFixture, type StreamFixture } from './stream-fixture';
import type { FirehoseProcessor } from './transformation';

let fixture: StreamFixture;
let lakeDir: string;

beforeEach(async () => {
  fixture = await startStreamFixture(2);
  lakeDir = await mkdtemp(join(tmpdir(), 'brewlake-delivery-'));
});
afterEach(async () => {
  await fixture.close();
  await rm(lakeDir, { recursive: true, force: true });
});

const beerLines = (n: number, from = 1) => Array.from({ length: n }, (_, i) => `${JSON.stringify({ id: from + i, name: `beer ${from + i}` })}\n`);

/** A processor that upper-cases a record's name; `bad` records fail, `skip` records are dropped. */
const upperCase: FirehoseProcessor = (event) => ({
  records: event.records.map((r) => {
    const text = Buffer.from(r.data, 'base64').toString('utf8');
    if (text.includes('bad')) return { recordId: r.recordId, result: 'ProcessingFailed', data: r.data };
    if (text.includes('skip')) return { recordId: r.recordId, result: 'Dropped', data: r.data };
    const beer = JSON.parse(text) as { id: number; name: string };
    return { recordId: r.recordId, result: 'Ok', data: Buffer.from(`${JSON.stringify({ ...beer, name: beer.name.toUpperCase() })}\n`).toString('base64') };
  }),
});

const start = (overrides: Partial<DeliveryStreamOptions> & Pick<DeliveryStreamOptions, 'deliveryStream'>) =>
  startDeliveryStream({ lakeDir, kinesis: fixture.client, streamName: fixture.stream.streamName, pollIntervalMs: 20, ...overrides });

const startCleaned = (processor: FirehoseProcessor, overrides: Partial<DeliveryStreamOptions> = {}) =>
  start({ deliveryStream: deliveryStreams.cleaned, transformation: { processor, retryDelayMs: 1 }, ...overrides });

const ids = (lines: readonly string[]) => lines.map((l) => (JSON.parse(l) as { id: number }).id).sort((a, b) => a - b);

describe('delivery stream', () => {
  it('delivers every record put, exactly once, into raw and (transformed) into cleaned', async () => {
    const lines = beerLines(400);
    const raw = await start({ deliveryStream: deliveryStreams.raw });
    const cleaned = await startCleaned(upperCase);
    await fixture.put(lines.slice(0, 150));
    await fixture.put(lines.slice(150));
    const [rawStats, cleanedStats] = await Promise.all([raw.drain(), cleaned.drain()]);
    await Promise.all([raw.stop(), cleaned.stop()]);

    const rawLines = await readLakeLines(lakeDir, await listLakeFiles(lakeDir, 'raw/'));
    expect([...rawLines].sort()).toEqual(lines.map((l) => l.trimEnd()).sort());
    const cleanedLines = await readLakeLines(lakeDir, await listLakeFiles(lakeDir, 'cleaned/'));
    expect(ids(cleanedLines)).toEqual(ids(rawLines));
    expect(cleanedLines.every((l) => /"name":"BEER \d+"/.test(l))).toBe(true);
    expect(rawStats).toMatchObject({ recordsRead: 400, recordsDelivered: 400, recordsFailed: 0 });
    expect(cleanedStats).toMatchObject({ recordsRead: 400, recordsDelivered: 400, recordsDropped: 0, recordsFailed: 0 });
    for (const key of rawStats.dataFiles) expect(key).toMatch(/^raw\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/raw-1-\d{4}(-\d{2}){5}-[0-9a-f-]{36}$/);
  });

  it('cuts a new file each time the buffer reaches the size hint', async () => {
    const lines = beerLines(100);
    const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
    const raw = await start({ deliveryStream: deliveryStreams.raw, buffering: { sizeBytes: Math.ceil(bytes / 5), intervalMs: 3_600_000 } });
    await fixture.put(lines);
    const stats = await raw.drain();
    await raw.stop();
    expect(stats.dataFiles.length).toBeGreaterThanOrEqual(5);
    for (const key of stats.dataFiles.slice(0, -1)) {
      expect((await readFile(join(lakeDir, key))).length).toBeGreaterThanOrEqual(Math.ceil(bytes / 5));
    }
    expect(await readLakeLines(lakeDir, stats.dataFiles)).toHaveLength(100);
  });

  it('flushes a part-filled buffer when the interval passes, with no drain asked', async () => {
    const delivered: string[] = [];
    const raw = await start({
      deliveryStream: deliveryStreams.raw,
      buffering: { sizeBytes: 100 * 1024 * 1024, intervalMs: 50 },
      onDelivery: (d) => d.dataKey && delivered.push(d.dataKey),
    });
    await fixture.put(beerLines(10));
    await expect.poll(() => delivered.length, { timeout: 10_000, interval: 20 }).toBeGreaterThan(0);
    expect(await readLakeLines(lakeDir, delivered)).toHaveLength(10);
    await raw.stop();
  });

  it('writes ProcessingFailed records to the error prefix with their reason, and counts drops', async () => {
    const lines = [...beerLines(20), `${JSON.stringify({ id: 21, name: 'bad one' })}\n`, `${JSON.stringify({ id: 22, name: 'skip me' })}\n`, 'bad: not json\n'];
    const cleaned = await start({
      deliveryStream: deliveryStreams.cleaned,
      transformation: { processor: upperCase, failureReason: (data) => `reason for ${Buffer.from(data, 'base64').toString().trim()}` },
    });
    await fixture.put(lines);
    const stats = await cleaned.drain();
    await cleaned.stop();

    expect(stats).toMatchObject({ recordsRead: 23, recordsDelivered: 20, recordsDropped: 1, recordsFailed: 2 });
    expect(stats.errorFiles.length).toBeGreaterThan(0);
    for (const key of stats.errorFiles) expect(key.startsWith(`${processingFailedPrefix}`)).toBe(true);
    const errors = (await readLakeLines(lakeDir, await listLakeFiles(lakeDir, processingFailedPrefix))).map((l) => JSON.parse(l) as FirehoseErrorRecord);
    expect(errors).toHaveLength(2);
    for (const e of errors) {
      const raw = Buffer.from(e.rawData, 'base64').toString();
      expect(raw.includes('bad')).toBe(true);
      expect(e).toMatchObject({ errorCode: 'Lambda.ProcessingFailed', errorMessage: `reason for ${raw.trim()}`, attemptsMade: 1 });
      expect(e.lambdaArn).toMatch(/^arn:aws:lambda:us-east-1:\d{12}:function:/);
      expect(e.arrivalTimestamp).toBeGreaterThan(0);
      expect(e.attemptEndingTimestamp).toBeGreaterThanOrEqual(e.arrivalTimestamp);
    }
  });

  it('hands the processor the real Firehose transformation event', async () => {
    const events: FirehoseTransformationEvent[] = [];
    const cleaned = await startCleaned((event) => {
      events.push(event);
      return upperCase(event);
    });
    const lines = beerLines(30);
    await fixture.put(lines, (line) => String((JSON.parse(line) as { id: number }).id));
    await cleaned.drain();
    await cleaned.stop();

    const records = events.flatMap((e) => e.records);
    expect(records).toHaveLength(30);
    expect(new Set(records.map((r) => r.recordId)).size).toBe(30);
    for (const event of events) {
      expect(event.invocationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(event.deliveryStreamArn).toBe('arn:aws:firehose:us-east-1:000000000000:deliverystream/cleaned');
      expect(event.sourceKinesisStreamArn).toBe(fixture.stream.streamArn);
      expect(event.region).toBe('us-east-1');
    }
    const shardIds = new Set<string>();
    for (const r of records) {
      const line = Buffer.from(r.data, 'base64').toString('utf8');
      expect(lines).toContain(line);
      const m = r.kinesisRecordMetadata!;
      expect(m.partitionKey).toBe(String((JSON.parse(line) as { id: number }).id));
      expect(m.shardId).toMatch(/^shardId-\d{12}$/);
      expect(m.sequenceNumber).toMatch(/^\d+$/);
      expect(m.subsequenceNumber).toBe('0');
      expect(typeof m.approximateArrivalTimestamp).toBe('number');
      expect(r.approximateArrivalTimestamp).toBe(m.approximateArrivalTimestamp);
      expect(Math.abs(r.approximateArrivalTimestamp - Date.now())).toBeLessThan(60_000);
      shardIds.add(m.shardId);
    }
    expect(shardIds.size).toBe(2);
  });

  it('splits invocations below the payload limit', async () => {
    const sizes: number[] = [];
    const limit = 8 * 1024;
    const measured = await start({
      deliveryStream: deliveryStreams.cleaned,
      transformation: {
        processor: (event) => {
          sizes.push(Buffer.byteLength(JSON.stringify(event)));
          return upperCase(event);
        },
        maxPayloadBytes: limit,
      },
    });
    await fixture.put(beerLines(200));
    const stats = await measured.drain();
    await measured.stop();
    expect(stats.recordsDelivered).toBe(200);
    expect(sizes.length).toBeGreaterThan(1);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(limit);
  });

  it('retries a processor that throws, then writes the batch to the error prefix as Lambda.FunctionError', async () => {
    let calls = 0;
    const cleaned = await start({
      deliveryStream: deliveryStreams.cleaned,
      transformation: {
        processor: () => {
          calls++;
          throw new Error('boom');
        },
        retries: 2,
        retryDelayMs: 1,
      },
    });
    await fixture.put(beerLines(5));
    const stats = await cleaned.drain();
    await cleaned.stop();
    expect(calls).toBe(3);
    expect(stats).toMatchObject({ recordsDelivered: 0, recordsFailed: 5, dataFiles: [] });
    const errors = (await readLakeLines(lakeDir, stats.errorFiles)).map((l) => JSON.parse(l) as FirehoseErrorRecord);
    expect(errors).toHaveLength(5);
    for (const e of errors) expect(e).toMatchObject({ errorCode: 'Lambda.FunctionError', attemptsMade: 3 });
    expect(errors[0]!.errorMessage).toContain('boom');
    expect(ids(errors.map((e) => Buffer.from(e.rawData, 'base64').toString()))).toEqual([1, 2, 3, 4, 5]);
  });

  it('fails the batch when the answer leaves out or repeats a recordId, and delivers it once a retry answers well', async () => {
    let calls = 0;
    const flaky: FirehoseProcessor = (event): FirehoseTransformationResult => {
      calls++;
      const answer = upperCase(event) as FirehoseTransformationResult;
      if (calls === 1) return { records: answer.records.slice(1) };
      if (calls === 2) return { records: [...answer.records, answer.records[0]!] };
      return answer;
    };
    const cleaned = await startCleaned(flaky);
    await fixture.put(beerLines(4));
    const stats = await cleaned.drain();
    await cleaned.stop();
    expect(calls).toBe(3);
    expect(stats).toMatchObject({ recordsDelivered: 4, recordsFailed: 0 });

    let bad = 0;
    const alwaysShort = await startCleaned((event) => {
      bad++;
      return { records: (upperCase(event) as FirehoseTransformationResult).records.slice(1) };
    });
    await fixture.put(beerLines(3, 100));
    const badStats = await alwaysShort.drain();
    await alwaysShort.stop();
    expect(bad).toBe(4);
    const errors = (await readLakeLines(lakeDir, badStats.errorFiles)).map((l) => JSON.parse(l) as FirehoseErrorRecord);
    expect(errors.map((e) => e.errorCode)).toEqual(['Lambda.MissingRecordId', 'Lambda.MissingRecordId', 'Lambda.MissingRecordId']);
  });

  it('resumes from its checkpoint after a restart, reading only what came after', async () => {
    const first = await start({ deliveryStream: deliveryStreams.raw });
    await fixture.put(beerLines(50));
    await first.drain();
    await first.stop();
    const checkpoint = JSON.parse(await readFile(checkpointPath(lakeDir, 'raw'), 'utf8')) as { shards: Record<string, string> };
    expect(Object.keys(checkpoint.shards).length).toBe(2);

    await fixture.put(beerLines(30, 51));
    const second = await start({ deliveryStream: deliveryStreams.raw });
    const stats = await second.drain();
    await second.stop();
    expect(stats.startedFrom).toEqual(checkpoint.shards);
    expect(stats.recordsRead).toBe(30);
    expect(ids(await readLakeLines(lakeDir, await listLakeFiles(lakeDir, 'raw/')))).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
  });
});

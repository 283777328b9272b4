/**
 * The prediction log under load with its stream killed: every prediction is still
 * answered, and what `/metrics` counts as dropped is exactly what the lake is missing.
 */
import { mkdtemp } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDuckDbLake } from '../../glue/duckdb';
import { startKinesis } from '../../local/kinesis';
import { startPredictionLogPipeline } from '../../local/prediction-log-pipeline';
import { createKinesisClient } from '../kinesis-client';
import { startServeServer } from './node-server';
import { createPredictionLog, packRows, predictionLogRows, predictionLogRowsCounter } from './prediction-log';
import { registryWithTwoVersions } from './registry-fixture.test-support';
import { createServeMetrics } from './serve-metrics';

/** The log's way to the stream, as a TCP hop the test can cut and restore. */
function streamLink(target: number) {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s)).on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  return {
    listen: (port = 0) => new Promise<number>((resolve) => server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port))),
    cut: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
const beer = { abv: 5.6, target_fg: 1010, target_og: 1056, ebc: 17, srm: 8.5, ph: 4.4 };
const metric = (text: string, outcome: string) => Number(new RegExp(`brewlake_prediction_log_rows_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);

it('answers every prediction while the log stream is down, and counts exactly what the lake misses', async () => {
  const lake = await mkdtemp(join(tmpdir(), 'prediction-log-'));
  const kinesis = await startKinesis();
  const pipeline = await startPredictionLogPipeline({ lakeDir: lake, kinesisEndpoint: kinesis.endpoint });
  const link = streamLink(Number(new URL(kinesis.endpoint).port));
  const port = await link.listen();
  const sinkClient = createKinesisClient({ endpoint: `http://127.0.0.1:${port}` });
  const metrics = createServeMetrics();
  const log = createPredictionLog({ kinesis: sinkClient, streamName: pipeline.streamName, flushIntervalMs: 10, rows: predictionLogRowsCounter(metrics.registry) });
  const { dir } = await registryWithTwoVersions();
  const server = await startServeServer({ port: 0, registryDir: dir, metrics, predictionSink: log.sink });
  try {
    const predict = () => fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([beer, beer]) }).then((r) => r.status);
    const wave = async (n: number) => (await Promise.all(Array.from({ length: n }, predict))).every((s) => s === 200);

    expect(await wave(50)).toBe(true);
    await log.flush();
    await link.cut(); // the log's stream goes away under load
    expect(await wave(50)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(await wave(50)).toBe(true);
    await log.flush();
    await link.listen(port); // and comes back
    expect(await wave(25)).toBe(true);
    await log.close();
    await pipeline.drain();

    const counts = log.counts();
    expect(counts.logged).toBe(175 * 2);
    expect(counts.dropped).toBeGreaterThan(0);
    expect(counts.sent + counts.dropped).toBe(counts.logged);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(metric(text, 'dropped')).toBe(counts.dropped);
    const engine = await openDuckDbLake(lake);
    try {
      const { rows } = await engine.query('select count(*) as n from prediction_log');
      expect(Number(rows[0]!.n)).toBe(counts.logged - metric(text, 'dropped'));
    } finally {
      await engine.close();
    }
  } finally {
    await server.close();
    sinkClient.destroy();
    await link.cut().catch(() => {});
    await pipeline.stop().catch(() => {});
    await kinesis.close();
  }
});

describe('packing rows into stream records', () => {
  const row = (request_id: string, item: number) =>
    predictionLogRows({ request_id, predicted_at: 0, model_version: 'v1', feature_set: 'base', beers: [{ ...beer, hops: [{ name: 'Mittelfrüh', grams: item }] }], predictions: [item], latency_ms: 1 })[0]!;
  const rows = fc.array(fc.tuple(fc.uuid(), fc.nat({ max: 10_000 })).map(([id, n]) => row(id, n)), { maxLength: 60 });

  it('keeps every row, in order, one JSON line each, in records no larger than the limit (a larger row alone)', () => {
    fc.assert(
      fc.property(rows, fc.integer({ min: 100, max: 4_000 }), (input, limit) => {
        const records = packRows(input, limit);
        expect(records.map((r) => r.data.toString()).join('')).toBe(input.map((r) => `${JSON.stringify(r)}\n`).join(''));
        expect(records.reduce((n, r) => n + r.rows, 0)).toBe(input.length);
        for (const r of records) if (r.rows > 1) expect(r.data.byteLength).toBeLessThanOrEqual(limit);
      }),
    );
  });

  it('counts the rows of a record the stream refuses as dropped, and the rest as sent', async () => {
    const sent: number[] = [];
    const kinesis = {
      send: async (command: PutRecordsCommand) => {
        const records = command.input.Records ?? [];
        sent.push(records.length);
        return { FailedRecordCount: 1, Records: records.map((_, i) => (i === 0 ? { ErrorCode: 'ProvisionedThroughputExceededException' } : { SequenceNumber: '1' })) };
      },
    } as unknown as KinesisClient;
    const log = createPredictionLog({ kinesis, streamName: 's', flushIntervalMs: 60_000 });
    const big = { ...beer, hops: Array.from({ length: 400 }, (_, i) => ({ name: `hop ${i}`, grams: i, add: 'start', attribute: 'bitter' })) };
    for (let i = 0; i < 40; i++) log.sink({ request_id: `r${i}`, predicted_at: 0, model_version: 'v1', feature_set: 'hops', beers: [big, big], predictions: [1, 2], latency_ms: 1 });
    await log.close();
    const { logged, sent: ok, dropped } = log.counts();
    expect(logged).toBe(80);
    expect(sent.length).toBe(1);
    expect(sent[0]).toBeGreaterThan(1);
    expect(dropped).toBeGreaterThan(0);
    expect(dropped).toBeLessThan(80);
    expect(ok + dropped).toBe(80);
  });
});

/**
 * The prediction log under load with its stream killed: every prediction is still
 * answered, and what `/metrics` counts as dropped is exactly what the lake is missing.
 */
import { mkdtemp } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openDuckDbLake } from '../../glue/duckdb';
import { startKinesis } from '../../local/kinesis';
import { startPredictionLogPipeline } from '../../local/prediction-log-pipeline';
import { createKinesisClient } from '../kinesis-client';
import { startServeServer } from './node-server';
import { createPredictionLog, predictionLogRowsCounter } from './prediction-log';
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

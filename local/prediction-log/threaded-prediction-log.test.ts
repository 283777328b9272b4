/**
 * The prediction log on a worker thread: what the serving thread hands over reaches the
 * lake row for row, and what cannot be sent is counted as dropped, in the serving thread's
 * counts and its /metrics, while every prediction is answered.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { openDuckDbLake } from '../../glue/duckdb';
import { deliveryStreams } from '../../glue/layout';
import { startDirectPutDeliveryStream } from '../firehose/direct-put';
import { startServeServer } from '../../lambdas/serve/node-server';
import { predictionLogRowsCounter } from '../../lambdas/serve/prediction-log';
import { registryWithTwoVersions } from '../../lambdas/serve/registry-fixture.test-support';
import { createServeMetrics } from '../../lambdas/serve/serve-metrics';
import { createThreadedPredictionLog, maxHandedOverRows, type LogThreadTarget } from './threaded-prediction-log';

const beer = { abv: 5.6, target_fg: 1010, target_og: 1056, ebc: 17, srm: 8.5, ph: 4.4, hops: [{ name: 'Simcoe', grams: 12.5, add: 'Start', attribute: 'Bittering' }] };
const metric = (text: string, outcome: string) => Number(new RegExp(`brewlake_prediction_log_rows_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text)?.[1] ?? 0);

async function serveWith(target: LogThreadTarget) {
  const metrics = createServeMetrics();
  const log = createThreadedPredictionLog({ target, flushIntervalMs: 20, rows: predictionLogRowsCounter(metrics.registry) });
  const { dir } = await registryWithTwoVersions();
  const server = await startServeServer({ port: 0, registryDir: dir, metrics, predictionSink: log.sink });
  const predict = () => fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([beer, beer]) }).then((r) => r.status);
  const statuses = (await Promise.all(Array.from({ length: 150 }, predict))).concat(await Promise.all(Array.from({ length: 50 }, predict)));
  await log.close();
  const text = await (await fetch(`${server.url}/metrics`)).text();
  await server.close();
  return { statuses, counts: log.counts(), metrics: { sent: metric(text, 'sent'), dropped: metric(text, 'dropped') } };
}

/** Every row in the lake, as the serving thread counted them, hops normalised as the cleaned table holds them. */
async function expectInLake(lake: string) {
  const engine = await openDuckDbLake(lake);
  try {
    const { rows } = await engine.query('select count(*) as n, count(distinct request_id) as requests, min(hops[1].stage) as stage, min(hops[1].attribute) as attribute from prediction_log');
    expect(rows[0]).toMatchObject({ requests: 200, stage: 'start', attribute: 'bitter' });
    expect(Number(rows[0]!.n)).toBe(400);
  } finally {
    await engine.close();
  }
}

it('writes every row the serving thread logs into a lake folder, from the thread (brewlake serve)', async () => {
  const lake = await mkdtemp(join(tmpdir(), 'threaded-log-'));
  const { statuses, counts, metrics } = await serveWith({ kind: 'lake', lakeDir: lake });
  expect(statuses.every((s) => s === 200)).toBe(true);
  expect(counts).toEqual({ logged: 400, sent: 400, dropped: 0, queued: 0 });
  expect(metrics).toEqual({ sent: 400, dropped: 0 });
  await expectInLake(lake);
});

it('sends every row to a Firehose delivery stream through the AWS SDK', async () => {
  const lake = await mkdtemp(join(tmpdir(), 'threaded-log-'));
  const pipeline = await startDirectPutDeliveryStream({ lakeDir: lake, deliveryStream: deliveryStreams.predictionLog });
  try {
    const { counts } = await serveWith({ kind: 'firehose', endpoint: pipeline.endpoint, deliveryStreamName: pipeline.name });
    expect(counts).toEqual({ logged: 400, sent: 400, dropped: 0, queued: 0 });
    await pipeline.drain();
    await expectInLake(lake);
  } finally {
    await pipeline.stop();
  }
});

it('answers every prediction when the delivery stream is unreachable, and counts every row as dropped', async () => {
  const { statuses, counts, metrics } = await serveWith({ kind: 'firehose', endpoint: 'http://127.0.0.1:9', deliveryStreamName: 'prediction-log' });
  expect(statuses.every((s) => s === 200)).toBe(true);
  expect(counts).toEqual({ logged: 400, sent: 0, dropped: 400, queued: 0 });
  expect(metrics).toEqual({ sent: 0, dropped: 400 });
});

it('hands the thread at most its inbox bound at once, and counts the rest as dropped, exactly', async () => {
  const lake = await mkdtemp(join(tmpdir(), 'threaded-log-'));
  const log = createThreadedPredictionLog({ target: { kind: 'lake', lakeDir: lake } });
  const event = { request_id: 'r', predicted_at: 0, model_version: 'v1', feature_sets: Array.from({ length: 10 }, () => 'hops'), beers: Array.from({ length: 10 }, () => beer), predictions: Array.from({ length: 10 }, () => 1), latency_ms: 1 };
  // All in one turn: one hand-over, larger than the bound.
  const events = Math.ceil((maxHandedOverRows + 5_000) / 10);
  for (let i = 0; i < events; i++) log.sink({ ...event, request_id: `r${i}` });
  await log.close();
  expect(log.counts()).toEqual({ logged: events * 10, sent: maxHandedOverRows, dropped: events * 10 - maxHandedOverRows, queued: 0 });
  const engine = await openDuckDbLake(lake);
  try {
    const { rows } = await engine.query('select count(*) as n from prediction_log');
    expect(Number(rows[0]!.n)).toBe(maxHandedOverRows);
  } finally {
    await engine.close();
  }
});

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
import { registryWithTwoVersions } from '../../lambdas/serve/registry-fixture.test-support';
import { createServeMetrics } from '../../lambdas/serve/serve-metrics';
import { createThreadedPredictionLog, type LogThreadTarget } from './threaded-prediction-log';
import { maxHopTextLength, maxHopsPerBeer, type BeerInput } from '../../lambdas/serve/beer-request-schema';
import { loggedBytesAtLeast, predictionLogRowsCounter } from '../../lambdas/serve/prediction-log';
import type { PredictionEvent } from '../../lambdas/serve/prediction-sink';
import { listTableFiles } from '../../glue/lake-files';
import { predictionLogTable } from '../../glue/schema';

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
  expect(counts).toEqual({ logged: 400, sent: 400, dropped: 0, queued: 0, queuedBytes: 0 });
  expect(metrics).toEqual({ sent: 400, dropped: 0 });
  await expectInLake(lake);
});

it('sends every row to a Firehose delivery stream through the AWS SDK', async () => {
  const lake = await mkdtemp(join(tmpdir(), 'threaded-log-'));
  const pipeline = await startDirectPutDeliveryStream({ lakeDir: lake, deliveryStream: deliveryStreams.predictionLog });
  try {
    const { counts } = await serveWith({ kind: 'firehose', endpoint: pipeline.endpoint, deliveryStreamName: pipeline.name });
    expect(counts).toEqual({ logged: 400, sent: 400, dropped: 0, queued: 0, queuedBytes: 0 });
    await pipeline.drain();
    await expectInLake(lake);
  } finally {
    await pipeline.stop();
  }
});

it('answers every prediction when the delivery stream is unreachable, and counts every row as dropped', async () => {
  const { statuses, counts, metrics } = await serveWith({ kind: 'firehose', endpoint: 'http://127.0.0.1:9', deliveryStreamName: 'prediction-log' });
  expect(statuses.every((s) => s === 200)).toBe(true);
  expect(counts).toEqual({ logged: 400, sent: 0, dropped: 400, queued: 0, queuedBytes: 0 });
  expect(metrics).toEqual({ sent: 0, dropped: 400 });
});

const lakeRows = async (lake: string) => {
  const engine = await openDuckDbLake(lake);
  try {
    return Number((await engine.query('select count(*) as n from prediction_log')).rows[0]!.n);
  } finally {
    await engine.close();
  }
};
const eventOf = (i: number, beers: readonly BeerInput[]): PredictionEvent => ({
  request_id: `r${i}`,
  predicted_at: Date.now(),
  model_version: 'v1',
  feature_sets: beers.map(() => 'hops'),
  beers,
  predictions: beers.map(() => 1),
  latency_ms: 1,
});
/** The largest body the API takes, as the audit sent it: 37 beers of 64 hops with 128-character texts (1 MiB). */
const longText = (c: string) => c.repeat(maxHopTextLength);
const largestBeer: BeerInput = { ...beer, hops: Array.from({ length: maxHopsPerBeer }, (_, i) => ({ name: longText(String.fromCharCode(97 + (i % 26))), grams: 10, add: longText('s'), attribute: longText('b') })) };
const largestEvent = (i: number) => eventOf(i, Array.from({ length: 37 }, () => largestBeer));
const turn = () => new Promise((resolve) => setImmediate(resolve));

it('holds at most its pending bound of events for the thread, and drops the rest before handing them over, counted exactly', async () => {
  const lake = await mkdtemp(join(tmpdir(), 'threaded-log-'));
  const maxPendingBytes = 1024 * 1024;
  const log = createThreadedPredictionLog({ target: { kind: 'lake', lakeDir: lake }, maxPendingBytes });
  const event = { ...eventOf(0, Array.from({ length: 10 }, () => beer)), request_id: 'r000000' };
  const weight = loggedBytesAtLeast(event);
  // All in one turn: nothing can be handed over meanwhile, so what is held is what fits the bound.
  const events = Math.ceil((2 * maxPendingBytes) / weight);
  for (let i = 0; i < events; i++) {
    log.sink({ ...event, request_id: `r${String(i).padStart(6, '0')}` });
    expect(log.counts().queuedBytes).toBeLessThanOrEqual(maxPendingBytes);
  }
  const kept = Math.floor(maxPendingBytes / weight);
  expect(log.counts()).toMatchObject({ logged: events * 10, dropped: (events - kept) * 10 });
  await log.close();
  expect(log.counts()).toEqual({ logged: events * 10, sent: kept * 10, dropped: (events - kept) * 10, queued: 0, queuedBytes: 0 });
  expect(await lakeRows(lake)).toBe(kept * 10);
});

it('loses no row of a burst the two bounds can hold, though the burst is many times the thread\'s queue', async () => {
  const lake = await mkdtemp(join(tmpdir(), 'threaded-log-'));
  const maxQueuedBytes = 512 * 1024;
  const log = createThreadedPredictionLog({ target: { kind: 'lake', lakeDir: lake }, maxQueuedBytes, maxPendingBytes: 8 * maxQueuedBytes });
  const beers = Array.from({ length: 5 }, () => largestBeer);
  const events = Math.floor((6 * maxQueuedBytes) / loggedBytesAtLeast(eventOf(0, beers)));
  for (let i = 0; i < events; i++) log.sink(eventOf(i, beers));
  await log.close();
  expect(log.counts()).toEqual({ logged: events * 5, sent: events * 5, dropped: 0, queued: 0, queuedBytes: 0 });
  expect(await lakeRows(lake)).toBe(events * 5);
});

it('writes rows into the lake during a sustained flood of the largest bodies, holding no more bytes than its bounds, and counts every drop', async () => {
  const lake = await mkdtemp(join(tmpdir(), 'threaded-log-'));
  const bounds = { maxQueuedBytes: 4 * 1024 * 1024, maxPendingBytes: 2 * 1024 * 1024 };
  const log = createThreadedPredictionLog({ target: { kind: 'lake', lakeDir: lake }, ...bounds });
  const filesIn = async () => (await listTableFiles(lake, predictionLogTable)).json.length;
  await log.flush(); // the thread is up: what follows is the sustained load, not its start
  // A flood: a largest body every turn (the serving thread does nothing else), for 4 s.
  const floodMs = 4_000;
  const start = Date.now();
  let firstFileAfterMs: number | undefined;
  let maxHeld = 0;
  let nextLook = 0;
  for (let i = 0; Date.now() - start < floodMs; i++) {
    log.sink(largestEvent(i));
    maxHeld = Math.max(maxHeld, log.counts().queuedBytes);
    if (firstFileAfterMs === undefined && Date.now() >= nextLook) {
      nextLook = Date.now() + 50;
      if ((await filesIn()) > 0) firstFileAfterMs = Date.now() - start;
    }
    await turn();
  }
  const during = log.counts();
  await log.close();
  const after = log.counts();
  // Rows reached the lake while the flood went on, not only once it stopped.
  expect(firstFileAfterMs).toBeDefined();
  expect(firstFileAfterMs!).toBeLessThan(floodMs);
  expect(during.sent).toBeGreaterThan(0);
  // Memory: never more than the two bounds held at once.
  expect(maxHeld).toBeLessThanOrEqual(bounds.maxQueuedBytes + bounds.maxPendingBytes);
  // An overload: some rows dropped, every one counted, every other one in the lake.
  expect(after.dropped).toBeGreaterThan(0);
  expect(after.sent + after.dropped).toBe(after.logged);
  expect(await lakeRows(lake)).toBe(after.sent);
}, 30_000);

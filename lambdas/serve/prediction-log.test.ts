/**
 * The prediction log under load with its delivery stream cut off: every prediction is still
 * answered, and what `/metrics` counts as dropped is exactly what the lake is missing.
 */
import { mkdtemp } from 'node:fs/promises';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { openDuckDbLake } from '../../glue/duckdb';
import { deliveryStreams } from '../../glue/layout';
import { startDirectPutDeliveryStream } from '../../local/firehose/direct-put';
import { createFirehoseClient } from '../firehose-client';
import { startServeServer } from './node-server';
import { hopAttribute, hopStage } from '../../glue/hops';
import { lakeTimestampText } from '../../glue/query-engine';
import { duckDbReads, hostileText } from '../../glue/hostile-text.test-support';
import { unreadableLineReason, wellFormedText } from '../../glue/lake-text';
import { baseFeatureNames, hopAdditionFields, predictionLogColumns, predictionLogTable } from '../../glue/schema';
import { maxHopsPerBeer, type BeerInput, type HopAdditionInput } from './beer-request-schema';
import { createPredictionLog, createTimestampText, firehoseSender, loggedBytesAtLeast, packLines, predictionLogLine, predictionLogRowsCounter, type RecordSender } from './prediction-log';
import type { PredictionEvent } from './prediction-sink';
import { registryWithTwoVersions } from './registry-fixture.test-support';
import { createServeMetrics } from './serve-metrics';

/** The log's way to its delivery stream, as a TCP hop the test can cut and restore. */
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

it('answers every prediction while the delivery stream is unreachable, and counts exactly what the lake misses', async () => {
  const lake = await mkdtemp(join(tmpdir(), 'prediction-log-'));
  const pipeline = await startDirectPutDeliveryStream({ lakeDir: lake, deliveryStream: deliveryStreams.predictionLog });
  const link = streamLink(Number(new URL(pipeline.endpoint).port));
  const port = await link.listen();
  const sinkClient = createFirehoseClient({ endpoint: `http://127.0.0.1:${port}` });
  const metrics = createServeMetrics();
  const log = createPredictionLog({ send: firehoseSender(sinkClient, pipeline.name), flushIntervalMs: 10, rows: predictionLogRowsCounter(metrics.registry) });
  const { dir } = await registryWithTwoVersions();
  const server = await startServeServer({ port: 0, registryDir: dir, metrics, predictionSink: log.sink });
  try {
    const predict = () => fetch(`${server.url}/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([beer, beer]) }).then((r) => r.status);
    const wave = async (n: number) => (await Promise.all(Array.from({ length: n }, predict))).every((s) => s === 200);

    expect(await wave(50)).toBe(true);
    await log.flush();
    await link.cut(); // the delivery stream goes away under load
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
  }
});

/** A hop as logged: the fields the client sent (and what is derived from them), the others left out. */
function loggedHop(h: HopAdditionInput) {
  const text = (t: string | null | undefined) => (typeof t === 'string' ? wellFormedText(t) : undefined);
  const hop = { name: text(h.name), grams: h.grams ?? undefined, add: text(h.add), stage: typeof h.add === 'string' ? hopStage(h.add) : undefined, attribute: typeof h.attribute === 'string' ? hopAttribute(h.attribute) : undefined };
  return Object.fromEntries(Object.entries(hop).filter(([, v]) => v !== undefined));
}

/** The row the log must write for one beer, built field by field: the oracle for the line writer. */
function expectedRow(event: PredictionEvent, item: number) {
  const beer = event.beers[item]!;
  const text = (t: string | null | undefined) => (typeof t === 'string' ? wellFormedText(t) : null);
  return {
    request_id: text(event.request_id),
    item,
    predicted_at: lakeTimestampText(event.predicted_at),
    model_version: text(event.model_version),
    feature_set: text(event.feature_sets[item]!),
    id: beer.id ?? null,
    ...Object.fromEntries(baseFeatureNames.map((n) => [n, beer[n] ?? null])),
    volume_litres: beer.volume_litres ?? null,
    hops: beer.hops ? beer.hops.map(loggedHop) : null,
    predicted_ibu: event.predictions[item]!,
    latency_ms: event.latency_ms,
  };
}

const text = fc.oneof(fc.string(), hostileText, fc.constantFrom('Hallertauer Mittelfrüh', 'Dry Hop', '60', 'Bittering', 'a "quoted" \\ name\n'));
const hopInput = fc.record({ name: fc.option(text), grams: fc.option(fc.double({ min: 0, max: 1e4, noNaN: true })), add: fc.option(text), attribute: fc.option(text) }, { requiredKeys: [] });
const beerInput = fc.record({
  ...Object.fromEntries(baseFeatureNames.map((n) => [n, fc.option(fc.double({ min: 0, max: 1200, noNaN: true }))])),
  volume_litres: fc.option(fc.double({ min: 0, max: 1e4, noNaN: true })),
  id: fc.option(fc.integer({ min: 1, max: 2_147_483_647 })),
  hops: fc.array(hopInput, { maxLength: 4 }),
}, { requiredKeys: [...baseFeatureNames] as never[] }) as unknown as fc.Arbitrary<BeerInput>;
const event = fc.array(beerInput, { minLength: 1, maxLength: 3 }).chain((beers) =>
  fc.record({
    request_id: fc.oneof(fc.uuid(), hostileText),
    predicted_at: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    model_version: fc.oneof(fc.constantFrom('20261126T000000Z-abc123', 'v1'), hostileText),
    feature_sets: fc.array(fc.constantFrom('base', 'hops'), { minLength: beers.length, maxLength: beers.length }),
    beers: fc.constant(beers),
    predictions: fc.array(fc.double({ min: -50, max: 2000, noNaN: true }), { minLength: beers.length, maxLength: beers.length }),
    latency_ms: fc.double({ min: 0, max: 1e4, noNaN: true }),
  }),
) as unknown as fc.Arbitrary<PredictionEvent>;

describe('the prediction log lines', () => {
  it('write, for every request, each beer as the prediction_log row: the columns in the table order, the values as sent', () => {
    fc.assert(
      fc.property(event, (e) => {
        e.beers.forEach((_, item) => {
          const line = predictionLogLine(e, item);
          expect(line.endsWith('\n')).toBe(true);
          const parsed = JSON.parse(line) as Record<string, unknown>;
          expect(Object.keys(parsed)).toEqual(predictionLogColumns.map((c) => c.name));
          // Compared as JSON: the line is what JSON.stringify would write for the row (-0 is 0).
          expect(parsed).toEqual(JSON.parse(JSON.stringify(expectedRow(e, item))));
        });
      }),
      { numRuns: 500 },
    );
  });

  it('are lines DuckDB reads as the prediction_log table, whatever text the request held', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 5 }), async (events) => {
        const lines = events.flatMap((e) => e.beers.map((_, item) => predictionLogLine(e, item)));
        for (const line of lines) expect(unreadableLineReason(Buffer.from(line))).toBeUndefined();
        const rows = await duckDbReads(predictionLogTable, lines.join(''));
        expect(rows).toHaveLength(lines.length);
        // A hop field left out reads as null: every field of the table's struct is there.
        const beers = events.flatMap((e) => e.beers);
        rows.forEach((row, i) => {
          const sent = beers[i]!.hops ?? [];
          const read = (row.hops ?? []) as Record<string, unknown>[];
          expect(read.map((h) => Object.keys(h).sort())).toEqual(sent.map(() => hopAdditionFields.map((f) => f.name).sort()));
          read.forEach((h, j) => {
            expect(h.stage).toBe(typeof sent[j]!.add === 'string' ? hopStage(sent[j]!.add) : null);
            expect(h.attribute).toBe(typeof sent[j]!.attribute === 'string' ? hopAttribute(sent[j]!.attribute) : null);
            expect(h.grams === null ? null : Number(h.grams)).toBe(sent[j]!.grams ?? null);
          });
        });
      }),
      { numRuns: 60 },
    );
  });

  it('take no more than a small multiple of the request body, whatever the body holds', () => {
    // Any body the API takes, in its shortest spelling (a padded body only lowers the ratio):
    // up to the hop cap, every hop field optional (`{}` is the cheapest hop to send).
    const someFields = fc.record({ name: fc.option(text), grams: fc.option(fc.double({ min: 0, max: 1e4, noNaN: true })), add: fc.option(fc.oneof(text, fc.constant(''))), attribute: fc.option(text) }, { requiredKeys: [] });
    const hop = fc.oneof(fc.constant({}), someFields);
    const body = fc.array(
      fc.record({
        ...Object.fromEntries(baseFeatureNames.map((n) => [n, fc.option(fc.double({ min: 0, max: 1200, noNaN: true }))])),
        hops: fc.array(hop, { maxLength: maxHopsPerBeer }),
      }, { requiredKeys: [...baseFeatureNames] as never[] }),
      { minLength: 1, maxLength: 8 },
    ) as unknown as fc.Arbitrary<BeerInput[]>;
    fc.assert(
      fc.property(body, fc.uuid(), (beers, requestId) => {
        const e: PredictionEvent = { request_id: requestId, predicted_at: Date.now(), model_version: '20261202T030114Z-c5a15b', feature_sets: beers.map(() => 'hops'), beers, predictions: beers.map(() => 12.3), latency_ms: 3.25 };
        const lines = beers.map((_, item) => predictionLogLine(e, item));
        const logged = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
        const sent = Buffer.byteLength(JSON.stringify(beers));
        // The row's own columns (request id, time, model, answer) cost a beer of nulls 4.3 times its 78 bytes; never more.
        expect(logged).toBeLessThanOrEqual(4.5 * sent);
        // And a hop bill costs at most a few times what it cost to send (`{"add":""}` is the worst: 2.5 times).
        beers.forEach((beer, item) => {
          if (!beer.hops) return;
          const hops = JSON.stringify((JSON.parse(lines[item]!) as { hops: unknown }).hops);
          expect(Buffer.byteLength(hops)).toBeLessThanOrEqual(2.5 * Buffer.byteLength(JSON.stringify(beer.hops)));
        });
        // What the serving thread weighs an event by never exceeds it (brewlake serve's hand-over).
        expect(loggedBytesAtLeast(e)).toBeLessThanOrEqual(logged);
      }),
      { numRuns: 300 },
    );
  });

  it('log the audit\'s 280 KB body of empty hops (1,000 beers x 64 `{}`) in under twice its size, not 18 times', () => {
    const beers = Array.from({ length: 1000 }, () => ({ ...Object.fromEntries(baseFeatureNames.map((n) => [n, null])), hops: Array.from({ length: maxHopsPerBeer }, () => ({})) }) as unknown as BeerInput);
    const e: PredictionEvent = { request_id: '0f8fad5b-d9cb-469f-a165-70867728950e', predicted_at: Date.now(), model_version: '20261202T030114Z-c5a15b', feature_sets: beers.map(() => 'base'), beers, predictions: beers.map(() => 12.3), latency_ms: 3.25 };
    const logged = beers.reduce((n, _, item) => n + Buffer.byteLength(predictionLogLine(e, item)), 0);
    expect(logged).toBeLessThan(2 * Buffer.byteLength(JSON.stringify(beers)));
  });

  it('weigh every event at no more than the bytes of its lines (the hand-over\'s lower bound)', () => {
    fc.assert(
      fc.property(event, (e) => {
        const logged = e.beers.reduce((n, _, item) => n + Buffer.byteLength(predictionLogLine(e, item)), 0);
        expect(loggedBytesAtLeast(e)).toBeLessThanOrEqual(logged);
      }),
      { numRuns: 1000 },
    );
  });

  it('stamp every time as the lake spells it, however many share a second', () => {
    const stamp = createTimestampText();
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 0, max: 253_402_300_799_999 }), fc.integer({ min: 1_700_000_000_000, max: 1_700_000_003_000 }), fc.double({ min: -1e13, max: 1e13, noNaN: true })), (ms) => {
        expect(stamp(ms)).toBe(lakeTimestampText(ms));
      }),
      { numRuns: 5000 },
    );
  });
});

describe('packing lines into Firehose records', () => {
  const lines = fc.array(fc.string({ unit: 'grapheme', maxLength: 300 }).map((body) => `${JSON.stringify({ body })}\n`), { maxLength: 60 });

  it('keeps every line, in order, in records no larger than the limit (a longer line alone)', () => {
    fc.assert(
      fc.property(lines, fc.integer({ min: 100, max: 4_000 }), (input, limit) => {
        const records = packLines(input, limit);
        expect(records.map((r) => r.data.toString()).join('')).toBe(input.join(''));
        expect(records.reduce((n, r) => n + r.rows, 0)).toBe(input.length);
        for (const r of records) if (r.rows > 1) expect(r.data.byteLength).toBeLessThanOrEqual(limit);
      }),
    );
  });

  it('counts the rows of a record the stream refuses as dropped, and the rest as sent', async () => {
    const sent: number[] = [];
    // A client mock at the SDK boundary: the service refuses the first record of every call.
    const firehose = {
      send: async (command: PutRecordBatchCommand) => {
        const records = command.input.Records ?? [];
        sent.push(records.length);
        return { FailedPutCount: 1, RequestResponses: records.map((_, i) => (i === 0 ? { ErrorCode: 'ServiceUnavailableException' } : { RecordId: String(i) })) };
      },
    } as unknown as FirehoseClient;
    const log = createPredictionLog({ send: firehoseSender(firehose, 's'), flushIntervalMs: 60_000 });
    const big = { ...beer, hops: Array.from({ length: 400 }, (_, i) => ({ name: `hop ${i}`, grams: i, add: 'start', attribute: 'bitter' })) };
    for (let i = 0; i < 40; i++) log.sink({ request_id: `r${i}`, predicted_at: 0, model_version: 'v1', feature_sets: ['hops', 'hops'], beers: [big, big], predictions: [1, 2], latency_ms: 1 });
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

describe('the queue under load', () => {
  const hop = (i: number) => ({ name: `hop ${i}`, grams: i, add: 'start', attribute: 'bitter' });
  const eventOf = (i: number, beers: BeerInput[]): PredictionEvent => ({ request_id: `r${i}`, predicted_at: 0, model_version: 'v1', feature_sets: beers.map(() => 'hops'), beers, predictions: beers.map(() => 1), latency_ms: 1 });
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('sends a burst larger than any row bound as it fills, with a slow but working sink: nothing dropped', async () => {
    let calls = 0;
    const slow: RecordSender = async (records) => {
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 2));
      return records.map(() => false);
    };
    // The interval flush never comes during the burst: only filling can send.
    const log = createPredictionLog({ send: slow, flushIntervalMs: 3_600_000, maxQueuedBytes: 4 * 1024 * 1024 });
    const beers = Array.from({ length: 10 }, () => ({ ...beer, hops: [hop(1), hop(2)] }) as BeerInput);
    // 120,000 rows (the old bound was 50,000), 30 MB through a 4 MiB queue, a few milliseconds a thousand rows.
    for (let i = 0; i < 12_000; i++) {
      log.sink(eventOf(i, beers));
      if (i % 100 === 99) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    const during = log.counts();
    await log.close();
    expect(during.sent).toBeGreaterThan(0);
    expect(log.counts()).toMatchObject({ logged: 120_000, sent: 120_000, dropped: 0, queued: 0, queuedBytes: 0 });
    expect(calls).toBeGreaterThan(1);
  });

  it('frees what a call held before counting it, so whoever reads the counts sees the room the call made', async () => {
    // The worker thread of `brewlake serve` reports its room with every count: a stale room would hold the hand-over back.
    const seen: { outcome: string; queuedBytes: number }[] = [];
    const log: ReturnType<typeof createPredictionLog> = createPredictionLog({
      send: async (records) => records.map((_, i) => i === 0),
      flushIntervalMs: 3_600_000,
      rows: { inc: (labels) => void (labels?.outcome !== 'logged' && seen.push({ outcome: String(labels?.outcome), queuedBytes: log.counts().queuedBytes ?? -1 })) },
    });
    for (let i = 0; i < 2_000; i++) log.sink(eventOf(i, [{ ...beer, hops: [hop(i)] } as BeerInput]));
    await log.close();
    expect(seen.map((s) => s.outcome).sort()).toEqual(expect.arrayContaining(['dropped', 'sent']));
    expect(seen.every((s) => s.queuedBytes === 0)).toBe(true);
  });

  it('counts every row as dropped, exactly, when the sink is dead', async () => {
    const log = createPredictionLog({ send: () => Promise.reject(new Error('connection refused')), flushIntervalMs: 3_600_000, maxQueuedBytes: 256 * 1024 });
    const beers = Array.from({ length: 7 }, () => ({ ...beer }) as BeerInput);
    for (let i = 0; i < 3_000; i++) {
      log.sink(eventOf(i, beers));
      if (i % 50 === 49) await turn();
    }
    await log.close();
    expect(log.counts()).toMatchObject({ logged: 21_000, sent: 0, dropped: 21_000, queued: 0, queuedBytes: 0 });
  });

  it('holds no more bytes than its bound, however large the rows, and counts what did not fit', async () => {
    const bound = 1024 * 1024;
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const stuck: RecordSender = async (records) => {
      await released;
      return records.map(() => false);
    };
    const log = createPredictionLog({ send: stuck, flushIntervalMs: 3_600_000, maxQueuedBytes: bound });
    const huge = { ...beer, hops: Array.from({ length: 3_000 }, (_, i) => hop(i)) } as BeerInput;
    const lineBytes = Buffer.byteLength(predictionLogLine(eventOf(0, [huge]), 0));
    expect(lineBytes).toBeGreaterThan(100_000);
    for (let i = 0; i < 40; i++) {
      log.sink(eventOf(i, [huge]));
      expect(log.counts().queuedBytes).toBeLessThanOrEqual(bound);
      await turn();
    }
    const held = log.counts();
    expect(held.queued).toBe(Math.floor(bound / lineBytes));
    expect(held.dropped).toBe(40 - held.queued);
    release();
    await log.close();
    expect(log.counts()).toMatchObject({ logged: 40, sent: held.queued, dropped: 40 - held.queued, queuedBytes: 0 });
  });
});

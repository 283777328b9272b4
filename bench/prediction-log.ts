/**
 * The prediction log's sustained ceiling: its queue kept full for a fixed window, written
 * into a lake folder through the sender `brewlake serve` uses (the local
 * Direct PUT delivery stream, durable files); the value is the rows that reached the lake
 * per second during the window. The log runs in this thread, at this thread's priority, as
 * the reference does: what this machine writes of the same rows with the plainest writer
 * there is, `JSON.stringify` of each row appended to one file. (`brewlake serve` runs the
 * same log on a worker thread at a lower priority, so a busy machine serves first.)
 */
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { baseFeatureNames } from '../glue/schema';
import { catalogue } from '../lambdas/punkapi/catalogue';
import type { BeerInput } from '../lambdas/serve/beer-request-schema';
import { createPredictionLog, predictionLogLine } from '../lambdas/serve/prediction-log';
import type { PredictionEvent } from '../lambdas/serve/prediction-sink';
import { cleanBeer } from '../lambdas/transform/clean-beer';
import { lakeFlushIntervalMs, openLakeSender } from '../local/prediction-log/lake-sender';
import { fmt, type Bench } from './table';

const windowMs = 6_000;
/** The log's queue bound here: a few calls' worth, kept full. */
const queueBytes = 8 * 1024 * 1024;
const beersPerEvent = 10;
// The log builds each line column by column from the request (about a third of JSON.stringify's speed
// on a prepared row), then packs and fsyncs; below this it is no longer keeping up with its own writer.
const target = 0.4;

const beers: BeerInput[] = catalogue.flatMap((raw) => {
  const r = cleanBeer(raw, new Date());
  if (!r.ok) return [];
  const b = r.beer;
  return [{ ...Object.fromEntries(baseFeatureNames.map((n) => [n, b[n]])), volume_litres: b.volume_litres, hops: b.hops.map(({ stage: _s, ...h }) => h) } as unknown as BeerInput];
});
const event = (i: number): PredictionEvent => {
  const chosen = Array.from({ length: beersPerEvent }, (_, k) => beers[(i * beersPerEvent + k) % beers.length]!);
  return { request_id: `bench-${i}`, predicted_at: Date.now(), model_version: 'bench', feature_sets: chosen.map(() => 'hops'), beers: chosen, predictions: chosen.map((_, k) => 40 + k), latency_ms: 1 };
};
const events = Array.from({ length: 500 }, (_, i) => event(i));

/**
 * Rows written per second by the log kept full: each turn tops its queue up to its byte
 * bound, so the sender never waits for rows, and no CPU goes to rows that would be dropped.
 */
async function logCeiling(lakeDir: string): Promise<{ rowsPerSecond: number; offered: number; dropped: number }> {
  const sender = await openLakeSender(lakeDir);
  const log = createPredictionLog({ send: sender.send, flushIntervalMs: lakeFlushIntervalMs, maxQueuedBytes: queueBytes });
  const started = performance.now();
  let offered = 0;
  for (let i = 0; performance.now() - started < windowMs; await turn()) {
    while ((log.counts().queuedBytes ?? 0) < queueBytes * 0.9) {
      log.sink(events[i++ % events.length]!);
      offered += beersPerEvent;
    }
  }
  // Written during the window: in durable lake files when it ended.
  const { sent } = log.counts();
  const elapsed = performance.now() - started;
  await log.close();
  await sender.close();
  return { rowsPerSecond: (sent / elapsed) * 1000, offered, dropped: log.counts().dropped };
}

/** The same rows, `JSON.stringify`-ed and appended to one file, for the same window. */
async function plainAppend(dir: string): Promise<number> {
  const file = await open(join(dir, 'plain.jsonl'), 'a');
  const rows = events.flatMap((e) => e.beers.map((_, item) => JSON.parse(predictionLogLine(e, item)) as object));
  try {
    const started = performance.now();
    let written = 0;
    for (let i = 0; performance.now() - started < windowMs / 2; i++) {
      let text = '';
      for (let k = 0; k < 1_000; k++) text += `${JSON.stringify(rows[(i * 1_000 + k) % rows.length])}\n`;
      await file.write(text);
      written += 1_000;
    }
    await file.sync();
    return (written / (performance.now() - started)) * 1000;
  } finally {
    await file.close();
  }
}

export const predictionLogBench: Bench = {
  title: 'prediction log: sustained rows into the lake',
  async run() {
    const dir = await mkdtemp(join(tmpdir(), 'brewlake-bench-log-'));
    try {
      const reference = await plainAppend(dir);
      const log = await logCeiling(join(dir, 'lake'));
      return [
        {
          name: `prediction log, queue kept full (${fmt.count(log.offered)} rows in ${windowMs / 1000} s, ${fmt.count(log.dropped)} dropped)`,
          value: fmt.rate(log.rowsPerSecond, 'rows'),
          reference: `JSON-lines append ${fmt.rate(reference, 'rows')}`,
          target: `>= ${target}x`,
          pass: (ratio) => ratio >= target,
        },
      ];
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
};

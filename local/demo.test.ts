import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { catalogue } from '../test/catalogue-lake';
import { putBeerRecords } from '../lambdas/ingest/put-beer-records';
import { describeOutage, runDemo, type DemoParts, type DemoSummary } from './demo';
import { cleanCatalogueBeer } from './firehose/catalogue-processor.fixture';
import { socketHangUp, withKinesisFaults } from './firehose/kinesis-faults.fixture';

let lakeDir: string;
beforeEach(async () => {
  lakeDir = await mkdtemp(join(tmpdir(), 'brewlake-demo-'));
});
afterEach(async () => {
  await rm(lakeDir, { recursive: true, force: true });
});

/** Stand-ins for the ingest handler and the PunkAPI server: the catalogue put straight into the stream, plus one garbage record. */
const standInParts: DemoParts = {
  transformation: { processor: cleanCatalogueBeer, failureReason: () => 'not JSON' },
  startPunkApi: async () => ({ url: 'http://127.0.0.1:9/unused', close: async () => {} }),
  ingest: ({ kinesis, streamName }) => {
    const putLines = async (lines: string[]) => {
      await kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: lines.map((l, i) => ({ Data: Buffer.from(l), PartitionKey: String(i) })) }));
      return lines.length;
    };
    let next = 0;
    return {
      async backfill(progress) {
        let put = 0;
        for (let page = 0; page * 80 < catalogue.length; page++) {
          put += await putLines(catalogue.slice(page * 80, page * 80 + 80).map((b) => `${JSON.stringify(b)}\n`));
          progress(put, catalogue.length);
        }
        return put + (await putLines(['{not json\n']));
      },
      tick: () => putLines([`${JSON.stringify(catalogue[next++ % catalogue.length])}\n`]),
      putAgain: (beers) => putLines(beers.map((b) => `${JSON.stringify(b)}\n`)),
    };
  },
};

it('reconciles what was put with what the lake holds', async () => {
  const lines: string[] = [];
  const summary = await runDemo({ lakeDir, ticks: 3, progress: (l) => lines.push(l) }, standInParts);
  expect(summary).toMatchObject({
    put: 329,
    // The garbage record is refused by raw (a line no lake reader takes) and failed by the transform.
    raw: 328,
    rawRefused: 1,
    cleaned: 328,
    failed: 1,
    dropped: 0,
    distinctRaw: 325,
    distinctCleaned: 325,
    beers: 325,
    ok: true,
    checks: { putEqualsRawPlusRefused: true, cleanedFailedDroppedEqualsPut: true, beersEqualsDistinct: true },
  });
  expect(lines).toContain('backfill 325/325');
  expect(lines).toContain('delivered 329/329');
});

it('keeps ticking in live mode until aborted, then stops with a final reconciliation', async () => {
  const controller = new AbortController();
  let first: DemoSummary | undefined;
  let ticks = 0;
  const summary = await runDemo(
    {
      lakeDir,
      ticks: 0,
      progress: (line) => {
        if (line.startsWith('tick ') && ++ticks === 2) controller.abort();
      },
      live: { signal: controller.signal, tickIntervalMs: 1, onReconciled: (s) => (first = s) },
    },
    standInParts,
  );
  expect(first?.put).toBe(326);
  expect(summary.put).toBe(328);
  expect(summary.ticks).toBe(2);
  expect(summary.ok).toBe(true);
});

it('live: rides out a Kinesis outage on the ingest side, reporting each failed tick, and delivers every beer once Kinesis is back', async () => {
  // Ticks go through the ingest handler's putBeerRecords on a client whose PutRecords fail
  // (a dropped connection) while `down`; the delivery loop's own client is left alone.
  let down = false;
  let next = 0;
  const parts: DemoParts = {
    ...standInParts,
    ingest: (target) => {
      const kinesis = withKinesisFaults(target.kinesis, (call) => (down && call.command === 'PutRecordsCommand' ? socketHangUp() : undefined));
      const put = async (beers: readonly (typeof catalogue)[number][]) => (await putBeerRecords(kinesis, target.streamName, beers, { maxAttempts: 2, backoff: { baseMs: 1, maxMs: 2 } })).put;
      return { backfill: standInParts.ingest(target).backfill, tick: () => put([catalogue[next++ % catalogue.length]!]), putAgain: put };
    },
  };
  const controller = new AbortController();
  const lines: string[] = [];
  let ticksAfterOutage = 0;
  const summary = await runDemo(
    {
      lakeDir,
      ticks: 0,
      progress: (line) => {
        lines.push(line);
        if (line.startsWith('ingest: tick failed') && lines.filter((l) => l.startsWith('ingest: tick failed')).length === 4) down = false;
        if (line.startsWith('ingest: ticking again')) ticksAfterOutage = 0;
        if (line.startsWith('tick ') && lines.some((l) => l.startsWith('ingest: ticking again')) && ++ticksAfterOutage === 2) controller.abort();
      },
      live: {
        signal: controller.signal,
        tickIntervalMs: 100,
        retryCapMs: 400,
        // Kinesis goes away once the backfill is reconciled, before the first live tick.
        onReconciled: () => void (down = true),
      },
    },
    parts,
  );

  const failed = lines.filter((l) => l.startsWith('ingest: tick failed'));
  expect(failed).toHaveLength(4);
  for (const [i, line] of failed.entries()) {
    expect(line).toMatch(new RegExp(`^ingest: tick failed, failing for \\d+\\.\\d s so far \\(${i + 1} failed ticks, 1 record\\(s\\) held\\); next try in \\d+\\.\\d s: PutRecordsIncomplete: 1 record\\(s\\) not written to Kinesis after retries \\(0 written\\); last error: .*socket hang up$`));
  }
  // The wait doubles from the tick interval and stops at the cap.
  expect(failed.map((l) => /next try in (\S+) s/.exec(l)![1])).toEqual(['0.2', '0.4', '0.4', '0.4']);
  // How long the outage lasts so far grows with each report.
  const soFar = failed.map((l) => Number(/failing for (\S+) s/.exec(l)![1]));
  expect(soFar).toEqual([...soFar].sort((a, b) => a - b));
  expect(soFar.at(-1)!).toBeGreaterThanOrEqual(1.0);
  expect(lines.some((l) => /^ingest: ticking again after \d+\.\d s \(4 failed ticks\); every held record written$/.test(l))).toBe(true);
  // Every beer a tick fetched, the one held through the outage too, was put once and delivered.
  expect(summary.put).toBe(catalogue.length + 1 + next);
  expect(summary).toMatchObject({ raw: catalogue.length + next, rawRefused: 1, cleaned: catalogue.length + next, ok: true });
  expect(summary.checks).toEqual({ putEqualsRawPlusRefused: true, cleanedFailedDroppedEqualsPut: true, beersEqualsDistinct: true });
});

it('reports a Kinesis outage in one readable line when it starts and one when it ends', () => {
  expect(describeOutage({ kind: 'started', deliveryStream: 'raw', error: 'Error: socket hang up' })).toBe(
    'raw: Kinesis not answering (Error: socket hang up); retrying until it is back, nothing is lost',
  );
  expect(describeOutage({ kind: 'ended', deliveryStream: 'cleaned', downMs: 14_230, failedReads: 9 })).toBe(
    'cleaned: Kinesis back after 14.2 s (9 failed reads); delivering what was put meanwhile',
  );
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { catalogue } from '../test/catalogue-lake';
import { describeOutage, runDemo, type DemoParts, type DemoSummary } from './demo';
import { cleanCatalogueBeer } from './firehose/catalogue-processor.fixture';

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

it('reports a Kinesis outage in one readable line when it starts and one when it ends', () => {
  expect(describeOutage({ kind: 'started', deliveryStream: 'raw', error: 'Error: socket hang up' })).toBe(
    'raw: Kinesis not answering (Error: socket hang up); retrying until it is back, nothing is lost',
  );
  expect(describeOutage({ kind: 'ended', deliveryStream: 'cleaned', downMs: 14_230, failedReads: 9 })).toBe(
    'cleaned: Kinesis back after 14.2 s (9 failed reads); delivering what was put meanwhile',
  );
});

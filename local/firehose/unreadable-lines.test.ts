/**
 * The raw delivery stream delivers records as they came, so it is the one writer that takes
 * bytes from outside: a record no lake reader takes as a line (not UTF-8, not one JSON object
 * line, a lone surrogate) goes to the error prefix whole, with its reason, and `raw` stays
 * readable by DuckDB whatever was put.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { openDuckDbLake } from '../../glue/duckdb';
import { duckDbReads, hostileText, invalidUtf8, spliceBytes } from '../../glue/hostile-text.test-support';
import { unreadableLineReason } from '../../glue/lake-text';
import { deliveryStreams } from '../../glue/layout';
import { rawBeerTable } from '../../glue/schema';
import { readLakeLines } from '../lake-files';
import { startDeliveryStream, type DeliveryStream } from './delivery-stream';
import { errorFileContent, type FirehoseErrorRecord } from './error-record';
import { startStreamFixture, type StreamFixture } from './stream-fixture';

let fixture: StreamFixture;
let lakeDir: string;
let raw: DeliveryStream;
beforeAll(async () => {
  fixture = await startStreamFixture(2);
  lakeDir = await mkdtemp(join(tmpdir(), 'brewlake-unreadable-'));
  raw = await startDeliveryStream({ lakeDir, kinesis: fixture.client, streamName: fixture.stream.streamName, deliveryStream: deliveryStreams.raw, pollIntervalMs: 10 });
});
afterAll(async () => {
  await raw.stop();
  await fixture.close();
  await rm(lakeDir, { recursive: true, force: true });
});

let nextId = 1;
const beerLine = (name: string) => Buffer.from(`${JSON.stringify({ id: nextId++, name, abv: 5.6, ingredients: { hops: [{ name }] } })}\n`);
const record = fc.oneof(
  hostileText.map(beerLine),
  fc.tuple(invalidUtf8, fc.double({ min: 0, max: 0.99, noNaN: true })).map(([bad, at]) => spliceBytes(beerLine('Punk IPA'), bad, at)),
  fc.constantFrom('{not json\n', '{"id":1}', '[1]\n', '{"id":2}\n{"id":3}\n', '{"name":"a\tb"}\n').map((t) => Buffer.from(t)),
);

it('delivers into raw only lines DuckDB reads, and every other record whole to the error prefix with its reason', async () => {
  let put = 0;
  let readable = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(record, { minLength: 1, maxLength: 25 }), async (records) => {
      const answer = await fixture.client.send(new PutRecordsCommand({ StreamName: fixture.stream.streamName, Records: records.map((Data, i) => ({ Data, PartitionKey: String(i) })) }));
      expect(answer.FailedRecordCount).toBe(0);
      put += records.length;
      readable += records.filter((r) => unreadableLineReason(r) === undefined).length;
      const stats = await raw.drain();
      const refused = (await readLakeLines(lakeDir, stats.errorFiles)).map((l) => JSON.parse(l) as FirehoseErrorRecord);
      expect(stats.recordsDelivered).toBe(readable);
      expect(refused).toHaveLength(put - readable);
      for (const e of refused) {
        expect(e.errorCode).toBe('Delivery.UnreadableRecord');
        expect(e.errorMessage).toBe(unreadableLineReason(Buffer.from(e.rawData, 'base64')));
      }
      const engine = await openDuckDbLake(lakeDir);
      try {
        const { rows } = await engine.query('select count(*) as n from raw');
        expect(Number(rows[0]!.n)).toBe(readable);
      } finally {
        await engine.close();
      }
    }),
    { numRuns: 8 },
  );
  expect(readable).toBeGreaterThan(0);
  expect(put).toBeGreaterThan(readable);
});

it('writes error records DuckDB reads, whatever text their messages hold', async () => {
  const errorTable = {
    name: 'errors',
    description: 'error records',
    prefix: 'errors/',
    columns: [
      { name: 'attemptsMade', type: 'int' },
      { name: 'arrivalTimestamp', type: 'bigint' },
      { name: 'errorCode', type: 'string' },
      { name: 'errorMessage', type: 'string' },
      { name: 'attemptEndingTimestamp', type: 'bigint' },
      { name: 'rawData', type: 'string' },
      { name: 'lambdaArn', type: 'string' },
    ],
  } as unknown as typeof rawBeerTable;
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(hostileText, fc.uint8Array({ maxLength: 40 })), { minLength: 1, maxLength: 6 }), async (items) => {
      const records: FirehoseErrorRecord[] = items.map(([message, data]) => ({
        attemptsMade: 1,
        arrivalTimestamp: 1,
        errorCode: 'Lambda.FunctionError',
        errorMessage: `The Lambda function was invoked and returned an error: ${message}`,
        attemptEndingTimestamp: 2,
        rawData: Buffer.from(data).toString('base64'),
        lambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:brewlake-transform',
      }));
      const rows = await duckDbReads(errorTable, errorFileContent(records));
      expect(rows.map((r) => r.rawData)).toEqual(records.map((r) => r.rawData));
    }),
    { numRuns: 60 },
  );
});

import { PutRecordsCommand, type KinesisClient, type PutRecordsCommandInput, type PutRecordsCommandOutput } from '@aws-sdk/client-kinesis';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maxJsonNesting, unreadableLineReason } from '../../glue/lake-text';
import type { CollectedBeer } from '../punkapi/beer-source';
import { beerRecord, chunkEntries, putBeerRecords, putRecordsLimits, PutRecordsIncomplete } from './put-beer-records';

/** A Kinesis client stubbed at the SDK boundary: `answer` decides each entry's fate per call. */
function stubKinesis(answer: (records: PutRecordsCommandInput['Records'], call: number) => PutRecordsCommandOutput | Error) {
  const calls: string[][] = [];
  const client = {
    async send(command: unknown) {
      if (!(command instanceof PutRecordsCommand)) throw new Error('unexpected command');
      const records = command.input.Records!;
      calls.push(records.map((r) => r.PartitionKey!));
      const result = answer(records, calls.length);
      if (result instanceof Error) throw result;
      return result;
    },
  } as unknown as KinesisClient;
  return { client, calls };
}
const ok = (records: PutRecordsCommandInput['Records'], failed: (key: string) => boolean = () => false) =>
  ({
    FailedRecordCount: records!.filter((r) => failed(r.PartitionKey!)).length,
    Records: records!.map((r) =>
      failed(r.PartitionKey!) ? { ErrorCode: 'ProvisionedThroughputExceededException', ErrorMessage: 'slow down' } : { SequenceNumber: '1', ShardId: 'shardId-0' },
    ),
    $metadata: {},
  }) as PutRecordsCommandOutput;

const beers = (n: number, padding = 0): CollectedBeer[] => Array.from({ length: n }, (_, i) => ({ id: i + 1, name: `beer ${i + 1}`, pad: 'x'.repeat(padding) }));
const noWait = { backoff: { baseMs: 0, maxMs: 0 } };

describe('PutRecords chunking', () => {
  it('for any record sizes and counts: every record once, in order, each call within 500 records and 5 MiB', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 300_000 }), { maxLength: 1_200 }), (sizes) => {
        const entries = sizes.map((size, i) => ({ Data: new Uint8Array(size), PartitionKey: String(i + 1) }));
        const chunks = chunkEntries(entries);
        expect(chunks.flat().map((e) => e.PartitionKey)).toEqual(entries.map((e) => e.PartitionKey));
        for (const chunk of chunks) {
          expect(chunk.length).toBeGreaterThan(0);
          expect(chunk.length).toBeLessThanOrEqual(putRecordsLimits.recordsPerCall);
          expect(chunk.reduce((s, e) => s + e.Data.byteLength + e.PartitionKey.length, 0)).toBeLessThanOrEqual(putRecordsLimits.bytesPerCall);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('a record is one JSON line keyed by the beer id', () => {
    const record = beerRecord({ id: 42, name: 'Punk IPA' });
    expect(record.PartitionKey).toBe('42');
    expect(Buffer.from(record.Data).toString()).toBe('{"id":42,"name":"Punk IPA"}\n');
  });
});

describe('putBeerRecords', () => {
  it('sends 1,200 beers in three calls of at most 500', async () => {
    const { client, calls } = stubKinesis((records) => ok(records));
    const summary = await putBeerRecords(client, 's', beers(1_200));
    expect(calls.map((c) => c.length)).toEqual([500, 500, 200]);
    expect(summary).toEqual({ put: 1_200, calls: 3, retriedEntries: 0, repairedText: [], skipped: [] });
  });

  it('retries only the entries Kinesis reports failed', async () => {
    const { client, calls } = stubKinesis((records, call) => ok(records, (key) => call === 1 && Number(key) % 3 === 0));
    const summary = await putBeerRecords(client, 's', beers(10), noWait);
    expect(calls).toEqual([['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'], ['3', '6', '9']]);
    expect(summary).toEqual({ put: 10, calls: 2, retriedEntries: 3, repairedText: [], skipped: [] });
  });

  it('retries a whole call that threw (throttled, unreachable)', async () => {
    const { client, calls } = stubKinesis((records, call) => (call === 1 ? new Error('socket hang up') : ok(records)));
    expect((await putBeerRecords(client, 's', beers(3), noWait)).put).toBe(3);
    expect(calls).toHaveLength(2);
  });

  it('gives up after the bound with an error that counts what was not written, including later chunks', async () => {
    const { client } = stubKinesis((records) => ok(records, (key) => key === '7'));
    const error = await putBeerRecords(client, 's', beers(600), { ...noWait, maxAttempts: 3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PutRecordsIncomplete);
    expect(error).toMatchObject({ notWritten: 101, written: 499 });
    expect((error as Error).message).toMatch(/ProvisionedThroughputExceededException/);
  });

  it('names what it did not write, in order, so that it can be put again', async () => {
    let down = true;
    const { client } = stubKinesis((records) => (down ? new Error('socket hang up') : ok(records, (key) => key === '3')));
    const batch = beers(600);
    const error = (await putBeerRecords(client, 's', batch, { ...noWait, maxAttempts: 2 }).catch((e: unknown) => e)) as PutRecordsIncomplete;
    expect(error).toBeInstanceOf(PutRecordsIncomplete);
    expect(error.notPut).toEqual(batch);
    down = false;
    const partial = (await putBeerRecords(client, 's', error.notPut, { ...noWait, maxAttempts: 1 }).catch((e: unknown) => e)) as PutRecordsIncomplete;
    // Beer 3 failed in the first call of 500; the second call was never sent.
    expect(partial).toMatchObject({ written: 499, notWritten: 101 });
    expect(partial.notPut.map((b) => b.id)).toEqual([3, ...batch.slice(500).map((b) => b.id)]);
  });

  it('skips a record over 1 MiB with its size, and writes the rest of the batch (one huge beer never blocks a backfill)', async () => {
    const { client, calls } = stubKinesis((records) => ok(records));
    const batch = [...beers(2), { id: 99, name: 'huge', pad: 'x'.repeat(putRecordsLimits.bytesPerRecord) }, ...beers(3).slice(2)];
    const summary = await putBeerRecords(client, 's', batch);
    expect(summary.put).toBe(3);
    expect(summary.skipped).toEqual([{ id: 99, reason: expect.stringMatching(/^record is \d+ bytes, over Kinesis's 1048576-byte limit$/) }]);
    expect(calls.flat()).toEqual(batch.filter((b) => b.id !== 99).map((b) => String(b.id)));
  });
});

describe('beers nested deeper than the lake holds', () => {
  const nestedBeer = (id: number, levels: number) => ({ id, name: `beer ${id}`, x: JSON.parse(`${'['.repeat(levels)}null${']'.repeat(levels)}`) }) as CollectedBeer;

  it('one nested 100,000 deep is skipped with its reason, and the rest of the batch written', async () => {
    const { client, calls } = stubKinesis((records) => ok(records));
    const summary = await putBeerRecords(client, 's', [...beers(3), nestedBeer(99, 100_000), nestedBeer(100, 4)], noWait);
    expect(summary.put).toBe(4);
    expect(summary.skipped).toEqual([{ id: 99, reason: `nested deeper than ${maxJsonNesting} levels of arrays and objects, which the lake does not hold` }]);
    expect(calls.flat()).toEqual(['1', '2', '3', '100']);
  });

  it('for any depth: written when the lake holds it, skipped when it does not, never a crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.integer({ min: 0, max: 2 * maxJsonNesting }), fc.integer({ min: 1_000, max: 200_000 })), { minLength: 1, maxLength: 6 }), async (depths) => {
        const { client, calls } = stubKinesis((records) => ok(records));
        const batch = depths.map((levels, i) => nestedBeer(i + 1, levels));
        const summary = await putBeerRecords(client, 's', batch, noWait);
        // The beer is level 1 and its field `x` level 2: `levels` arrays make it 1 + levels deep.
        const held = batch.filter((_, i) => 1 + depths[i]! <= maxJsonNesting);
        expect(calls.flat()).toEqual(held.map((b) => String(b.id)));
        expect(summary.skipped.map((s) => s.id)).toEqual(batch.filter((b) => !held.includes(b)).map((b) => b.id));
        for (const beer of held) expect(unreadableLineReason(beerRecord(beer).Data)).toBeUndefined();
      }),
      { numRuns: 40 },
    );
  });
});

describe('records the lake can read, whatever the upstream text', () => {
  // Any code unit, lone surrogates and control characters included, in values and in keys.
  const codeUnit = fc.oneof(fc.constantFrom('\ud800', '\udfff', '\u0000', '\u001f', '\u2028'), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)));
  const hostileText = fc.string({ unit: codeUnit, maxLength: 12 });
  const upstreamBeer = fc
    .record({ id: fc.integer({ min: 1, max: 10_000 }), name: hostileText, tagline: hostileText, extra: fc.dictionary(hostileText, fc.oneof(hostileText, fc.array(hostileText, { maxLength: 3 })), { maxKeys: 3 }) })
    .map((b) => b as CollectedBeer);

  it('for any beer: the record is one well-formed JSON line a lake reader takes', () => {
    fc.assert(
      fc.property(upstreamBeer, (beer) => {
        expect(unreadableLineReason(beerRecord(beer).Data)).toBeUndefined();
      }),
      { numRuns: 500 },
    );
  });

  it('a lone surrogate is written as U+FFFD, the rest as collected, and the beer and field are reported', async () => {
    const { client } = stubKinesis((records) => ok(records));
    const beer = { id: 7, name: 'Punk \ud800IPA', ingredients: { hops: [{ name: 'Simcoe' }, { name: '\udc00' }] } } as CollectedBeer;
    const record = beerRecord(beer);
    expect(JSON.parse(Buffer.from(record.Data).toString())).toEqual({ id: 7, name: 'Punk \ufffdIPA', ingredients: { hops: [{ name: 'Simcoe' }, { name: '\ufffd' }] } });
    const summary = await putBeerRecords(client, 's', [beer, { id: 8, name: 'fine' }], noWait);
    expect(summary.repairedText).toEqual([{ id: 7, field: 'name' }]);
  });
});

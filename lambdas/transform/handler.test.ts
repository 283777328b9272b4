import { createRequire } from 'node:module';
import type { FirehoseTransformationEvent, FirehoseTransformationEventRecord, FirehoseTransformationResultRecord } from 'aws-lambda';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { compileRecordValidator } from '../../glue/json-validator';
import { duckDbReads, hostileText, invalidUtf8, spliceBytes } from '../../glue/hostile-text.test-support';
import { hasLoneSurrogate, maxJsonNesting } from '../../glue/lake-text';
import { cleanedBeerColumns, cleanedBeerTable, columnNames } from '../../glue/schema';
import { cleanBeer } from './clean-beer';
import { createTransformHandler, createTransformLogger, failureReason, handler } from './handler';

type Beer = Record<string, unknown>;
const catalogue = createRequire(import.meta.url)('punkapi-db/data.json') as Beer[];
const matchesSchema = compileRecordValidator(cleanedBeerColumns, { allowMissing: false });
const arrival = Date.UTC(2025, 5, 1, 12, 0, 0, 250);

const base64 = (data: string | Uint8Array) => Buffer.from(data).toString('base64');
const decode = (data: string) => Buffer.from(data, 'base64').toString('utf8');

function firehoseEvent(payloads: readonly (string | Uint8Array)[], kinesis = true): FirehoseTransformationEvent {
  return {
    invocationId: 'invocation-1',
    deliveryStreamArn: 'arn:aws:firehose:eu-west-1:123456789012:deliverystream/brewlake-cleaned',
    sourceKinesisStreamArn: 'arn:aws:kinesis:eu-west-1:123456789012:stream/brewlake-beers',
    region: 'eu-west-1',
    records: payloads.map((payload, i): FirehoseTransformationEventRecord => {
      const sequenceNumber = `4962${String(i).padStart(52, '0')}`;
      return {
        recordId: `${sequenceNumber}000000`,
        approximateArrivalTimestamp: arrival + 1,
        data: base64(payload),
        ...(kinesis && {
          kinesisRecordMetadata: { shardId: 'shardId-000000000000', partitionKey: String(i), approximateArrivalTimestamp: arrival, sequenceNumber, subsequenceNumber: '' },
        }),
      };
    }),
  };
}

const asRecord = (beer: unknown) => `${JSON.stringify(beer)}\n`;

function recordingLogger() {
  const lines: { message: string; extra: Record<string, unknown> }[] = [];
  return { lines, logger: { warn: (message: string, extra: Record<string, unknown>) => void lines.push({ message, extra }) } as never };
}

/** The AWS contract for one answer, and the cleaned-line contract for `Ok`. */
function expectValidAnswer(input: FirehoseTransformationEventRecord, answer: FirehoseTransformationResultRecord): void {
  expect(answer.recordId).toBe(input.recordId);
  const reason = failureReason(input.data);
  switch (answer.result) {
    case 'Ok': {
      const text = decode(answer.data!);
      expect(text.endsWith('\n')).toBe(true);
      expect(text.indexOf('\n')).toBe(text.length - 1);
      const row = JSON.parse(text) as Record<string, unknown>;
      expect(Object.keys(row)).toEqual(columnNames(cleanedBeerTable));
      expect(matchesSchema(row)).toBeUndefined();
      expect(reason).toBeUndefined();
      break;
    }
    case 'Dropped':
      expect(decode(input.data).trim()).toBe('');
      expect(reason).toBeUndefined();
      break;
    case 'ProcessingFailed':
      expect(answer.data).toBe(input.data);
      expect(reason).toMatch(/^(NotJson|NotText|TooDeep|NotABeer): ./);
      break;
    default:
      throw new Error(`not a Firehose result: ${String(answer.result)}`);
  }
}

describe('transform handler', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('answers every catalogue beer Ok with its cleaned row as one JSON line, arrived_at from the Kinesis metadata', async () => {
    const event = firehoseEvent(catalogue.map(asRecord));
    const { records } = await handler(event);
    expect(records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
    expect(records.every((r) => r.result === 'Ok')).toBe(true);
    records.forEach((answer, i) => {
      expectValidAnswer(event.records[i]!, answer);
      const expected = cleanBeer(catalogue[i], new Date(arrival));
      expect(expected.ok && JSON.parse(decode(answer.data!))).toEqual(expected.ok && expected.beer);
    });
    expect(JSON.parse(decode(records[0]!.data!)).arrived_at).toBe('2025-06-01 12:00:00.250');
  });

  it('falls back to the record approximateArrivalTimestamp without Kinesis metadata (Direct PUT)', async () => {
    const { records } = await handler(firehoseEvent([asRecord(catalogue[0])], false));
    expect(JSON.parse(decode(records[0]!.data!)).arrived_at).toBe('2025-06-01 12:00:00.251');
  });

  it('drops empty records, fails what is not JSON or not a beer with the original data, and logs why by recordId', async () => {
    const { lines, logger } = recordingLogger();
    const payloads = ['', '  \n\t', 'not json', asRecord({ id: 'x', name: 'y' }), asRecord(catalogue[0]), '{"id": 1, "name": "a"}\n{"id": 2, "name": "b"}\n'];
    const event = firehoseEvent(payloads);
    const { records } = await createTransformHandler({ logger })(event);
    expect(records.map((r) => r.result)).toEqual(['Dropped', 'Dropped', 'ProcessingFailed', 'ProcessingFailed', 'Ok', 'ProcessingFailed']);
    records.forEach((answer, i) => expectValidAnswer(event.records[i]!, answer));
    expect(lines.map((l) => [l.extra.recordId, (l.extra.error as { name: string }).name])).toEqual([
      [event.records[2]!.recordId, 'NotJson'],
      [event.records[3]!.recordId, 'NotABeer'],
      [event.records[5]!.recordId, 'NotJson'],
    ]);
    expect(lines[1]!.extra.error).toEqual({ name: 'NotABeer', field: 'id', message: 'id: expected a 32-bit integer, got string "x"' });
  });

  it('fails a beer nested deeper than the lake holds as TooDeep, in a few words, and keeps one within it', async () => {
    const { lines, logger } = recordingLogger();
    const nestedIn = (levels: number, leaf: string) => JSON.stringify({ ...catalogue[0], somewhere_new: '__D__' }).replace('"__D__"', `${'['.repeat(levels)}${leaf}${']'.repeat(levels)}`);
    // The beer is level 1, so `levels` arrays inside it make 1 + levels.
    const payloads = [nestedIn(100_000, '"\\ud800"'), nestedIn(100_000, '1'), nestedIn(maxJsonNesting, '1'), nestedIn(maxJsonNesting - 1, '1')];
    const event = firehoseEvent(payloads);
    const { records } = await createTransformHandler({ logger })(event);
    expect(records.map((r) => r.result)).toEqual(['ProcessingFailed', 'ProcessingFailed', 'ProcessingFailed', 'Ok']);
    records.forEach((answer, i) => expectValidAnswer(event.records[i]!, answer));
    const tooDeep = { name: 'TooDeep', message: `nested deeper than ${maxJsonNesting} levels of arrays and objects, which the lake does not hold` };
    expect(lines.map((l) => l.extra.error)).toEqual([tooDeep, tooDeep, tooDeep]);
    expect(failureReason(event.records[0]!.data)).toBe(`TooDeep: ${tooDeep.message}`);
  });

  it('logs a failed record as one structured JSON line through Powertools', async () => {
    const written: string[] = [];
    // Powertools writes warnings through console.warn, to stderr.
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        written.push(String(chunk));
        return true;
      });
    }
    const event = firehoseEvent([asRecord({ ...catalogue[0], abv: 'strong' })]);
    await createTransformHandler({ logger: createTransformLogger() })(event);
    vi.restoreAllMocks();
    const log = written.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.recordId === event.records[0]!.recordId);
    expect(log).toMatchObject({
      level: 'WARN',
      service: 'brewlake-transform',
      result: 'ProcessingFailed',
      error: { name: 'NotABeer', field: 'abv', message: 'abv: expected a finite number, got string "strong"' },
    });
  });

  it('failureReason says why a record fails, and nothing for one that does not', () => {
    expect(failureReason(base64('{"id": 1}'))).toBe('NotABeer: name: required, but missing');
    expect(failureReason(base64('\u00ff\u0000'))).toMatch(/^NotJson: not JSON: /);
    expect(failureReason(base64(asRecord(catalogue[0])))).toBeUndefined();
    expect(failureReason(base64(' '))).toBeUndefined();
  });
});

// ---- for every batch ------------------------------------------------------------------

const beerRecord = fc.constantFrom(...catalogue).map(asRecord);
const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

/** A catalogue beer with one top-level field removed, set to null or set to any JSON value. */
const mistypedBeer = fc
  .tuple(fc.constantFrom(...catalogue), fc.constantFrom(...Object.keys(catalogue[0]!), 'image', 'extra'), fc.option(fc.jsonValue(), { nil: undefined }))
  .map(([b, key, value]) => asRecord({ ...b, [key]: value }));

const hugeNumbers = fc
  .tuple(fc.constantFrom(...catalogue), fc.constantFrom('id', 'abv', 'ibu', 'ph', 'target_og'), fc.constantFrom('1e400', '-1e400', '9007199254740993', '1e308', '2147483648', '-0'))
  .map(([b, key, number]) => JSON.stringify({ ...b, [key]: '__N__' }).replace('"__N__"', number));

const deepNesting = fc
  .tuple(fc.constantFrom(...catalogue), fc.constantFrom('ingredients', 'method', 'volume', 'somewhere_new'), fc.integer({ min: 1, max: 5000 }))
  .map(([b, key, depth]) => JSON.stringify({ ...b, [key]: '__D__' }).replace('"__D__"', deep(depth)));

/** A catalogue beer with hostile text (lone surrogates, control characters) in its name or a hop's name. */
const hostileBeer = fc.tuple(fc.constantFrom(...catalogue), hostileText, fc.boolean()).map(([b, text, inHop]) => {
  const beer = structuredClone(b) as { name: string; ingredients: { hops: { name: string }[] } };
  if (inHop && beer.ingredients.hops.length > 0) beer.ingredients.hops[0]!.name = text;
  else beer.name = text;
  return { beer, record: asRecord(beer), field: inHop && beer.ingredients.hops.length > 0 ? 'ingredients.hops[0].name' : 'name', text };
});
/** A catalogue beer's bytes with a sequence that is not UTF-8 spliced in. */
const badBytesBeer = fc
  .tuple(fc.constantFrom(...catalogue), invalidUtf8, fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([b, bad, at]) => spliceBytes(Buffer.from(asRecord(b)), bad, at));

const anyPayload: fc.Arbitrary<string | Uint8Array> = fc.oneof(
  beerRecord,
  hostileBeer.map((h) => h.record),
  badBytesBeer,
  mistypedBeer,
  hugeNumbers,
  deepNesting,
  fc.uint8Array({ maxLength: 300 }),
  fc.constantFrom('', ' ', '\n', '\r\n\t ', '\uFEFF', 'null', '[]', '{}', '"beer"', '42', deep(20_000)),
  fc.string({ unit: 'grapheme', maxLength: 200 }),
  fc.jsonValue().map((v) => JSON.stringify(v) ?? ''),
);

describe('transform handler, for any batch', () => {
  const transform = createTransformHandler(recordingLogger());

  it('answers exactly the input recordIds, in order, each with a valid result', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(anyPayload, { maxLength: 60 }), async (payloads) => {
        const event = firehoseEvent(payloads);
        const { records } = await transform(event);
        expect(records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
        records.forEach((answer, i) => expectValidAnswer(event.records[i]!, answer));
      }),
      { numRuns: 150 },
    );
  });

  it('answers every unmodified catalogue beer Ok, whatever surrounds it', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(anyPayload, beerRecord.map((r) => ({ beer: r })))), async (items) => {
        const payloads = items.map((item) => (typeof item === 'object' && 'beer' in item ? item.beer : item));
        const { records } = await transform(firehoseEvent(payloads));
        items.forEach((item, i) => {
          if (typeof item === 'object' && 'beer' in item) expect(records[i]!.result).toBe('Ok');
        });
      }),
      { numRuns: 100 },
    );
  });

  it('writes only lines DuckDB reads as the cleaned table, and fails a lone surrogate or bad bytes naming why', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(hostileBeer, badBytesBeer.map((bytes) => ({ bytes }))), { minLength: 1, maxLength: 8 }), async (items) => {
        const { records } = await transform(firehoseEvent(items.map((item) => ('bytes' in item ? item.bytes : item.record))));
        const ok: string[] = [];
        items.forEach((item, i) => {
          const answer = records[i]!;
          if ('bytes' in item) {
            expect(answer.result).toBe('ProcessingFailed');
            expect(failureReason(answer.data!)).toMatch(/^NotText: not valid UTF-8/);
          } else if (hasLoneSurrogate(item.text)) {
            expect(answer.result).toBe('ProcessingFailed');
            expect(failureReason(answer.data!)).toBe(`NotText: ${item.field}: holds a lone UTF-16 surrogate, which no lake reader decodes`);
          } else if (answer.result === 'Ok') {
            ok.push(decode(answer.data!));
          }
        });
        const rows = await duckDbReads(cleanedBeerTable, ok.join(''));
        expect(rows).toHaveLength(ok.length);
      }),
      { numRuns: 60 },
    );
  });

  it('holds on a full 6 MB batch of beers with bad records scattered through it', async () => {
    const beers = Array.from({ length: 2270 }, (_, i) => asRecord(catalogue[i % catalogue.length]));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: beers.length }), anyPayload), { maxLength: 40 }), async (inserts) => {
        const payloads: (string | Uint8Array)[] = [...beers];
        for (const [at, payload] of inserts) payloads.splice(at, 0, payload);
        const event = firehoseEvent(payloads);
        expect(JSON.stringify(event).length).toBeGreaterThan(6_000_000);
        const { records } = await transform(event);
        expect(records.map((r) => r.recordId)).toEqual(event.records.map((r) => r.recordId));
        records.forEach((answer, i) => expectValidAnswer(event.records[i]!, answer));
        expect(records.filter((r) => r.result === 'Ok').length).toBeGreaterThanOrEqual(beers.length);
      }),
      { numRuns: 3 },
    );
  });
});

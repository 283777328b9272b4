import fc from 'fast-check';
import type { FirehoseTransformationResultRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { SourceRecord } from './source-record';
import { transformRecords, type FirehoseProcessor, type TransformationSettings } from './transformation';

const settings = (processor: FirehoseProcessor, overrides: Partial<TransformationSettings> = {}): TransformationSettings => ({
  processor,
  deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/cleaned',
  sourceKinesisStreamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/beers',
  region: 'us-east-1',
  lambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:transform',
  retries: 1,
  retryDelayMs: 0,
  maxPayloadBytes: 4096,
  ...overrides,
});

const sourceRecords = (payloads: readonly Uint8Array[]): SourceRecord[] =>
  payloads.map((data, i) => ({
    shardId: `shardId-00000000000${i % 2}`,
    sequenceNumber: String(1000 + i),
    partitionKey: String(i),
    arrivedAt: 1_700_000_000_000 + i,
    data,
  }));

type Verdict = 'Ok' | 'Dropped' | 'ProcessingFailed';
type Misbehaviour = 'none' | 'throw' | 'omit' | 'repeat' | 'invent' | 'shuffle';

describe('transformRecords', () => {
  it('accounts for every input record once, Ok data in input order, whatever the processor does', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 700 }), { maxLength: 40 }),
        fc.array(fc.constantFrom<Verdict>('Ok', 'Dropped', 'ProcessingFailed'), { minLength: 40, maxLength: 40 }),
        fc.constantFrom<Misbehaviour>('none', 'throw', 'omit', 'repeat', 'invent', 'shuffle'),
        async (payloads, verdicts, misbehaviour) => {
          const records = sourceRecords(payloads);
          const verdictOf = (data: string) => verdicts[Buffer.from(data, 'base64').length % verdicts.length]!;
          const processor: FirehoseProcessor = (event) => {
            let answer: FirehoseTransformationResultRecord[] = event.records.map((r) => ({
              recordId: r.recordId,
              result: verdictOf(r.data),
              data: r.data,
            }));
            if (misbehaviour === 'throw') throw new Error('processor down');
            if (misbehaviour === 'omit') answer = answer.slice(1);
            if (misbehaviour === 'repeat' && answer[0]) answer.push(answer[0]);
            if (misbehaviour === 'invent') answer.push({ recordId: 'nope', result: 'Ok', data: '' });
            if (misbehaviour === 'shuffle') answer.reverse();
            return { records: answer };
          };
          const outcome = await transformRecords(records, settings(processor));
          expect(outcome.ok.length + outcome.dropped + outcome.failed.length).toBe(records.length);
          // Answer order is free; anything else wrong fails every invocation (retries misbehave too).
          const batchBroken = misbehaviour !== 'none' && misbehaviour !== 'shuffle';
          if (batchBroken) expect(outcome.failed).toHaveLength(records.length);
          if (!batchBroken) {
            const expectedOk = records.filter((r) => verdictOf(Buffer.from(r.data).toString('base64')) === 'Ok');
            expect(outcome.ok.map((d) => Buffer.from(d).toString('hex'))).toEqual(expectedOk.map((r) => Buffer.from(r.data).toString('hex')));
          }
          const rawFailed = outcome.failed.map((f) => f.rawData).sort();
          const allRaw = records.map((r) => Buffer.from(r.data).toString('base64'));
          for (const raw of rawFailed) expect(allRaw).toContain(raw);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('keeps every invocation within the payload limit and sends each record in exactly one', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ maxLength: 2000 }), { maxLength: 30 }), fc.integer({ min: 3000, max: 20_000 }), async (payloads, limit) => {
        const seen: string[] = [];
        const processor: FirehoseProcessor = (event) => {
          const size = Buffer.byteLength(JSON.stringify(event));
          if (event.records.length > 1) expect(size).toBeLessThanOrEqual(limit);
          seen.push(...event.records.map((r) => r.kinesisRecordMetadata!.sequenceNumber));
          return { records: event.records.map((r) => ({ recordId: r.recordId, result: 'Ok', data: r.data })) };
        };
        const records = sourceRecords(payloads);
        const outcome = await transformRecords(records, settings(processor, { maxPayloadBytes: limit }));
        expect(seen).toEqual(records.map((r) => r.sequenceNumber));
        expect(outcome.ok).toHaveLength(records.length);
      }),
      { numRuns: 100 },
    );
  });
});

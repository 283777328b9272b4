/**
 * The transform Lambda on a full Firehose batch: as many real catalogue beers as fit in
 * Lambda's 6 MB invocation payload (the catalogue repeated), with the metadata a
 * Kinesis-sourced delivery stream sends. Compared, in the same run and on the same batch,
 * with the floor any transform pays: base64-decode, JSON.parse, JSON.stringify and
 * base64-encode of every record. The handler does that plus validation and cleaning.
 */
import { createRequire } from 'node:module';
import type { FirehoseTransformationEvent, FirehoseTransformationEventRecord, FirehoseTransformationResult } from 'aws-lambda';
import { handler } from '../lambdas/transform/handler';
import { lambdaPayloadLimitBytes } from '../local/firehose/transformation';
import { fmt, type Bench, type BenchRow } from './table';

const target = 1.5;
const warmups = 3;
const runs = 9;

const catalogue = createRequire(import.meta.url)('punkapi-db/data.json') as { id: number }[];

/** A Firehose event from a Kinesis source, filled with catalogue beers up to the payload limit. */
function fullBatch(): FirehoseTransformationEvent {
  const region = 'eu-west-1';
  const event: FirehoseTransformationEvent = {
    invocationId: '7d6c7b1e-3c1f-4f8a-9a55-0c2f3d1b2a90',
    deliveryStreamArn: `arn:aws:firehose:${region}:123456789012:deliverystream/brewlake-cleaned`,
    sourceKinesisStreamArn: `arn:aws:kinesis:${region}:123456789012:stream/brewlake-beers`,
    region,
    records: [],
  };
  const arrivedFrom = Date.UTC(2025, 5, 1, 12, 0, 0);
  let bytes = JSON.stringify(event).length;
  for (let i = 0; ; i++) {
    const beer = catalogue[i % catalogue.length]!;
    // Kinesis sequence numbers are 56-digit decimals; Firehose record ids are longer still.
    const sequenceNumber = `4962${String(i).padStart(52, '0')}`;
    const arrival = arrivedFrom + Math.floor(i / 500) * 40; // PutRecords calls of 500
    const record: FirehoseTransformationEventRecord = {
      recordId: `${sequenceNumber}000000`,
      approximateArrivalTimestamp: arrival,
      data: Buffer.from(`${JSON.stringify(beer)}\n`).toString('base64'),
      kinesisRecordMetadata: {
        shardId: 'shardId-000000000000',
        partitionKey: String(beer.id),
        approximateArrivalTimestamp: arrival,
        sequenceNumber,
        subsequenceNumber: '',
      },
    };
    const size = JSON.stringify(record).length + 1;
    if (bytes + size > lambdaPayloadLimitBytes) break;
    bytes += size;
    event.records.push(record);
  }
  return event;
}

/** The floor: what any per-record JSON transform costs, with nothing checked. */
async function floor(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> {
  return {
    records: event.records.map((r) => ({
      recordId: r.recordId,
      result: 'Ok' as const,
      data: Buffer.from(`${JSON.stringify(JSON.parse(Buffer.from(r.data, 'base64').toString('utf8')))}\n`).toString('base64'),
    })),
  };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timeRun(transform: typeof floor, event: FirehoseTransformationEvent): Promise<number> {
  const t0 = performance.now();
  const result = await transform(event);
  const ms = performance.now() - t0;
  const ok = result.records.filter((r) => r.result === 'Ok').length;
  if (ok !== event.records.length) throw new Error(`${event.records.length - ok} catalogue records were not Ok`);
  return ms;
}

export const transformBench: Bench = {
  title: 'transform',
  async run(): Promise<BenchRow[]> {
    const event = fullBatch();
    const megabytes = JSON.stringify(event).length / 1024 / 1024;
    for (let i = 0; i < warmups; i++) {
      await timeRun(floor, event);
      await timeRun(handler, event);
    }
    // Interleaved, so that a noisy neighbour slows both alike.
    const floorMs: number[] = [];
    const handlerMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      floorMs.push(await timeRun(floor, event));
      handlerMs.push(await timeRun(handler, event));
    }
    const floorMedian = median(floorMs);
    const handlerMedian = median(handlerMs);
    const n = event.records.length;
    return [
      {
        name: `transform ${megabytes.toFixed(1)} MB batch (${n.toLocaleString('en-US')} records)`,
        value: fmt.ms(handlerMedian),
        reference: `floor ${fmt.ms(floorMedian)}`,
        target: `<= ${target}x`,
        pass: (ratio) => ratio <= target,
      },
      {
        name: 'transform throughput',
        value: fmt.rate((n * 1000) / handlerMedian, 'records'),
        reference: `floor ${fmt.rate((n * 1000) / floorMedian, 'records')}`,
        target: `>= ${(1 / target).toFixed(2)}x`,
        pass: (ratio) => ratio >= 1 / target,
      },
    ];
  },
};

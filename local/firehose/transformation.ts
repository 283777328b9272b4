/**
 * Firehose's data transformation, as Firehose runs it: the buffered records go to the
 * processor in invocations no larger than Lambda's payload limit, with the real event
 * shape; the answer is checked (every recordId answered exactly once, a valid result,
 * data for `Ok`); a thrown or invalid invocation is retried, then its records go to the
 * error output. Nothing is lost: every input record ends `Ok`, `Dropped` or failed.
 */
import { randomUUID } from 'node:crypto';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import type { FirehoseErrorCode, FirehoseErrorRecord } from './error-record';
import type { SourceRecord } from './source-record';

/** The transform Lambda, called in-process with the event Firehose would send it. */
export type FirehoseProcessor = (
  event: FirehoseTransformationEvent,
) => Promise<FirehoseTransformationResult> | FirehoseTransformationResult;

/** Why the processor failed a record (the transform module exports one); shown in the error file. */
export type FailureReason = (base64Data: string) => string | undefined;

/** Lambda's synchronous invocation payload limit; Firehose splits its batches below it. */
export const lambdaPayloadLimitBytes = 6 * 1024 * 1024;

export interface TransformationSettings {
  readonly processor: FirehoseProcessor;
  readonly failureReason?: FailureReason | undefined;
  readonly deliveryStreamArn: string;
  readonly sourceKinesisStreamArn: string;
  readonly region: string;
  readonly lambdaArn: string;
  /** Retries of a failed invocation (Firehose's default is 3). */
  readonly retries: number;
  readonly retryDelayMs: number;
  /** At most lambdaPayloadLimitBytes. */
  readonly maxPayloadBytes: number;
}

export interface TransformationOutcome {
  /** The `Ok` records' data, in input order. */
  readonly ok: Uint8Array[];
  readonly dropped: number;
  readonly failed: FirehoseErrorRecord[];
  readonly invocations: number;
}

export async function transformRecords(
  records: readonly SourceRecord[],
  settings: TransformationSettings,
): Promise<TransformationOutcome> {
  const ok: Uint8Array[] = [];
  const failed: FirehoseErrorRecord[] = [];
  let dropped = 0;
  let invocations = 0;
  for (const batch of invocationBatches(records, Math.min(settings.maxPayloadBytes, lambdaPayloadLimitBytes))) {
    const result = await invokeWithRetries(batch, settings);
    invocations += result.attempts;
    if (!result.ok) {
      failed.push(...batch.map((b) => errorRecord(b, result.attempts, result.error.code, result.error.message, settings)));
      continue;
    }
    for (const b of batch) {
      const answer = result.answers.get(b.event.recordId)!;
      if (answer.result === 'Ok') ok.push(Buffer.from(answer.data ?? '', 'base64'));
      else if (answer.result === 'Dropped') dropped++;
      else {
        const reason = settings.failureReason?.(b.event.data) ?? 'the processor answered ProcessingFailed';
        failed.push(errorRecord(b, result.attempts, 'Lambda.ProcessingFailed', reason, settings));
      }
    }
  }
  return { ok, dropped, failed, invocations };
}

interface BatchRecord {
  readonly source: SourceRecord;
  readonly event: FirehoseTransformationEventRecord;
}

/** Splits records into invocations whose JSON event stays within the payload limit. */
function* invocationBatches(records: readonly SourceRecord[], maxPayloadBytes: number): Generator<BatchRecord[]> {
  // The envelope (ids, ARNs, region) is small; this leaves it generous room.
  const envelopeBytes = 2048;
  let batch: BatchRecord[] = [];
  let bytes = envelopeBytes;
  for (const [index, source] of records.entries()) {
    const event = eventRecord(source, index);
    // Every field but `data` is ASCII; base64 is ASCII: the JSON length is the byte length.
    const size = JSON.stringify(event).length + 1;
    if (batch.length > 0 && bytes + size > maxPayloadBytes) {
      yield batch;
      batch = [];
      bytes = envelopeBytes;
    }
    batch.push({ source, event });
    bytes += size;
  }
  if (batch.length > 0) yield batch;
}

function eventRecord(source: SourceRecord, index: number): FirehoseTransformationEventRecord {
  return {
    // Opaque to the processor; Firehose's ids are long digit strings like this one.
    recordId: `${source.sequenceNumber}${String(index).padStart(6, '0')}`,
    approximateArrivalTimestamp: source.arrivedAt,
    data: Buffer.from(source.data).toString('base64'),
    kinesisRecordMetadata: {
      shardId: source.shardId,
      partitionKey: source.partitionKey,
      approximateArrivalTimestamp: source.arrivedAt,
      sequenceNumber: source.sequenceNumber,
      subsequenceNumber: '0',
    },
  };
}

type InvocationResult =
  | { ok: true; attempts: number; answers: Map<string, FirehoseTransformationResultRecord> }
  | { ok: false; attempts: number; error: { code: FirehoseErrorCode; message: string } };

async function invokeWithRetries(batch: readonly BatchRecord[], settings: TransformationSettings): Promise<InvocationResult> {
  const event: FirehoseTransformationEvent = {
    invocationId: randomUUID(),
    deliveryStreamArn: settings.deliveryStreamArn,
    sourceKinesisStreamArn: settings.sourceKinesisStreamArn,
    region: settings.region,
    records: batch.map((b) => b.event),
  };
  let error: { code: FirehoseErrorCode; message: string } = { code: 'Lambda.FunctionError', message: '' };
  for (let attempt = 1; attempt <= settings.retries + 1; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, settings.retryDelayMs * (attempt - 1)));
    let result: FirehoseTransformationResult;
    try {
      result = await settings.processor(freshCopy(event));
    } catch (thrown) {
      error = { code: 'Lambda.FunctionError', message: `The Lambda function was invoked and returned an error: ${describe(thrown)}` };
      continue;
    }
    const checked = checkAnswer(event.records, result);
    if (checked.ok) return { ok: true, attempts: attempt, answers: checked.answers };
    error = checked.error;
  }
  return { ok: false, attempts: settings.retries + 1, error };
}

const validResults = new Set(['Ok', 'Dropped', 'ProcessingFailed']);

function checkAnswer(
  input: readonly FirehoseTransformationEventRecord[],
  result: FirehoseTransformationResult,
): { ok: true; answers: Map<string, FirehoseTransformationResultRecord> } | { ok: false; error: { code: FirehoseErrorCode; message: string } } {
  if (!result || !Array.isArray(result.records)) {
    return { ok: false, error: { code: 'Lambda.InvalidReturnedData', message: 'The Lambda function returned no records array.' } };
  }
  const expected = new Set(input.map((r) => r.recordId));
  const answers = new Map<string, FirehoseTransformationResultRecord>();
  for (const answer of result.records) {
    const id = answer?.recordId;
    if (typeof id !== 'string' || !expected.has(id)) {
      return { ok: false, error: { code: 'Lambda.MissingRecordId', message: `The Lambda function returned a record id that was not in the input: ${String(id)}.` } };
    }
    if (answers.has(id)) {
      return { ok: false, error: { code: 'Lambda.DuplicatedRecordId', message: `The Lambda function returned record id ${id} more than once.` } };
    }
    if (!validResults.has(answer.result) || (answer.result === 'Ok' && typeof answer.data !== 'string')) {
      return { ok: false, error: { code: 'Lambda.InvalidReturnedData', message: `Record ${id}: result must be Ok (with base64 data), Dropped or ProcessingFailed.` } };
    }
    answers.set(id, answer);
  }
  if (answers.size !== expected.size) {
    const missing = input.length - answers.size;
    return { ok: false, error: { code: 'Lambda.MissingRecordId', message: `The Lambda function left ${missing} of ${input.length} record ids unanswered.` } };
  }
  return { ok: true, answers };
}

function errorRecord(
  b: BatchRecord,
  attemptsMade: number,
  errorCode: FirehoseErrorCode,
  errorMessage: string,
  settings: TransformationSettings,
): FirehoseErrorRecord {
  return {
    attemptsMade,
    arrivalTimestamp: b.source.arrivedAt,
    errorCode,
    errorMessage,
    attemptEndingTimestamp: Date.now(),
    rawData: b.event.data,
    lambdaArn: settings.lambdaArn,
  };
}

/** A processor that mutates its event must not change what a retry or the error file sees (strings are shared, not copied). */
const freshCopy = (event: FirehoseTransformationEvent): FirehoseTransformationEvent => ({
  ...event,
  records: event.records.map((r) => ({ ...r, ...(r.kinesisRecordMetadata && { kinesisRecordMetadata: { ...r.kinesisRecordMetadata } }) })),
});

const describe = (thrown: unknown) => (thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown));

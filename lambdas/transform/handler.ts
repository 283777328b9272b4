/**
 * The Firehose data-transformation Lambda for the `cleaned` delivery stream. Exact to the
 * AWS contract: every input record is answered once, in input order, with
 * - `Ok`: data = base64 of one cleaned JSON line ending in `\n`;
 * - `Dropped`: the record holds nothing (empty or whitespace only);
 * - `ProcessingFailed`: not JSON or not a beer; data = the original payload, and the
 *   reason is logged as structured JSON keyed by recordId (Firehose writes the record,
 *   but not the reason, under the error prefix).
 * A bad record never fails the batch.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationEventRecord,
  FirehoseTransformationResult,
  FirehoseTransformationResultRecord,
} from 'aws-lambda';
import { lakeTimestampText } from '../../glue/query-engine';
import { cleanValidBeer } from './clean-beer';
import { describeTransformError, readRecordPayload, type TransformError } from './record-payload';

export type TransformHandler = (event: FirehoseTransformationEvent) => Promise<FirehoseTransformationResult>;

export interface TransformHandlerOptions {
  /** Where failed records' reasons go (Powertools `Logger` in Lambda). */
  readonly logger: Pick<Logger, 'warn'>;
}

/** Date's own limit: anything beyond is not a time. */
const maxEpochMillis = 8.64e15;

/** When the record reached the source stream; the invocation time when Firehose did not say. */
function arrivalMillis(record: FirehoseTransformationEventRecord, invokedAt: number): number {
  const millis = record.kinesisRecordMetadata?.approximateArrivalTimestamp ?? record.approximateArrivalTimestamp;
  return typeof millis === 'number' && Number.isFinite(millis) && Math.abs(millis) <= maxEpochMillis ? millis : invokedAt;
}

export function createTransformHandler(options: TransformHandlerOptions): TransformHandler {
  const failed = (record: FirehoseTransformationEventRecord, error: TransformError): FirehoseTransformationResultRecord => {
    options.logger.warn('record failed transformation', { recordId: record.recordId, result: 'ProcessingFailed', error });
    return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
  };

  return async (event) => {
    const invokedAt = Date.now();
    const records = event.records;
    const answers: FirehoseTransformationResultRecord[] = new Array(records.length);
    // Records put together share an arrival time: format it once per run of equal times.
    let lastMillis = Number.NaN;
    let lastArrivedAt = '';
    for (let i = 0; i < records.length; i++) {
      const record = records[i]!;
      try {
        const payload = readRecordPayload(record.data);
        if (payload.kind === 'empty') {
          answers[i] = { recordId: record.recordId, result: 'Dropped' };
        } else if (payload.kind === 'invalid') {
          answers[i] = failed(record, payload.error);
        } else {
          const millis = arrivalMillis(record, invokedAt);
          if (millis !== lastMillis) {
            lastMillis = millis;
            lastArrivedAt = lakeTimestampText(millis);
          }
          const line = `${JSON.stringify(cleanValidBeer(payload.beer, lastArrivedAt))}\n`;
          answers[i] = { recordId: record.recordId, result: 'Ok', data: Buffer.from(line).toString('base64') };
        }
      } catch (e) {
        answers[i] = failed(record, { name: 'TransformFailed', message: e instanceof Error ? e.message : String(e) });
      }
    }
    return { records: answers };
  };
}

/** The Lambda's structured JSON logger (level from POWERTOOLS_LOG_LEVEL). */
export const createTransformLogger = (): Logger => new Logger({ serviceName: 'brewlake-transform' });

/** The handler Lambda runs (and the local delivery loop calls in-process). */
export const handler: TransformHandler = createTransformHandler({ logger: createTransformLogger() });

/**
 * Why the handler answers ProcessingFailed for this record data, or undefined when it
 * does not. For the local delivery loop's error records; in AWS the reason is in the log.
 */
export function failureReason(base64Data: string): string | undefined {
  const payload = readRecordPayload(base64Data);
  return payload.kind === 'invalid' ? describeTransformError(payload.error) : undefined;
}

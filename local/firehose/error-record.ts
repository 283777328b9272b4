import { wellFormedText } from '../../glue/lake-text';

/**
 * The JSON document Firehose writes under `errors/processing-failed/` for every record a
 * transformation did not deliver, one per line.
 */
export interface FirehoseErrorRecord {
  readonly attemptsMade: number;
  /** When the record reached the stream, epoch milliseconds. */
  readonly arrivalTimestamp: number;
  readonly errorCode: FirehoseErrorCode;
  readonly errorMessage: string;
  readonly attemptEndingTimestamp: number;
  /** The record's data as it arrived, base64. */
  readonly rawData: string;
  readonly lambdaArn: string;
}

/**
 * `Lambda.ProcessingFailed`: the processor answered the record ProcessingFailed.
 * The others fail a whole invocation: the processor threw (`FunctionError`), or its answer
 * left out, repeated or invented a recordId, or gave an invalid result.
 */
export type FirehoseErrorCode =
  | 'Lambda.ProcessingFailed'
  | 'Lambda.FunctionError'
  | 'Lambda.MissingRecordId'
  | 'Lambda.DuplicatedRecordId'
  | 'Lambda.InvalidReturnedData'
  /** Local only: an untransformed record no lake reader would read as a line (glue/lake-text.ts). */
  | 'Delivery.UnreadableRecord';

/** The lines of an error file: one JSON document per record, each ending in `\n`, well-formed whatever the messages hold. */
export const errorFileContent = (records: readonly FirehoseErrorRecord[]) =>
  records.map((r) => `${JSON.stringify({ ...r, errorMessage: wellFormedText(r.errorMessage), lambdaArn: wellFormedText(r.lambdaArn) })}\n`).join('');

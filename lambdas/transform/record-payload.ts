/**
 * What a Firehose record's data holds: nothing (Dropped), a valid raw beer, or something
 * that is not one (ProcessingFailed), with the named reason. The handler and
 * `failureReason` both read records through here, so they can never disagree.
 */
import { parseRawBeer, type NotABeer, type RawBeer } from '../../glue/raw-beer';

/** The data is not JSON text (garbage bytes, truncated, two values, ...). */
export interface NotJson {
  readonly name: 'NotJson';
  readonly message: string;
}

/** Something went wrong that no input should cause; the record still gets an answer. */
export interface TransformFailed {
  readonly name: 'TransformFailed';
  readonly message: string;
}

export type TransformError = NotJson | NotABeer | TransformFailed;

export type RecordPayload =
  | { readonly kind: 'empty' }
  | { readonly kind: 'beer'; readonly beer: RawBeer }
  | { readonly kind: 'invalid'; readonly error: TransformError };

const byteOrderMark = 0xfeff;

/** Reads one record's base64 `data`. Never throws. */
export function readRecordPayload(base64Data: string): RecordPayload {
  let text = Buffer.from(base64Data, 'base64').toString('utf8');
  if (text.charCodeAt(0) === byteOrderMark) text = text.slice(1);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // Checked only after a failed parse: a beer never pays for it.
    if (text.trim() === '') return { kind: 'empty' };
    return { kind: 'invalid', error: { name: 'NotJson', message: `not JSON: ${e instanceof Error ? e.message : String(e)}` } };
  }
  const parsed = parseRawBeer(value);
  return parsed.ok ? { kind: 'beer', beer: parsed.beer } : { kind: 'invalid', error: parsed.error };
}

/** One line for an error record or a log: the error's name and message. */
export function describeTransformError(error: TransformError): string {
  return `${error.name}: ${error.message}`;
}

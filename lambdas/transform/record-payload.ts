/**
 * What a Firehose record's data holds: nothing (Dropped), a valid raw beer, or something
 * that is not one (ProcessingFailed), with the named reason. The handler and
 * `failureReason` both read records through here, so they can never disagree.
 */
import { loneSurrogatePath, tooDeepReason, wellFormedText } from '../../glue/lake-text';
import { parseRawBeer, type NotABeer, type RawBeer } from '../../glue/raw-beer';

/** The data is not JSON text (garbage bytes, truncated, two values, ...). */
export interface NotJson {
  readonly name: 'NotJson';
  readonly message: string;
}

/**
 * The data is not text the lake can hold: not valid UTF-8 (overlong, truncated, encoded
 * surrogates), or a string escaping half a UTF-16 surrogate pair (`"\ud800"`), which no lake
 * reader decodes (glue/lake-text.ts). `field` is the path of that string ('' for bytes).
 */
export interface NotText {
  readonly name: 'NotText';
  readonly field: string;
  readonly message: string;
}

/**
 * The JSON nests arrays and objects deeper than the lake holds (glue/lake-text's
 * `maxJsonNesting`): `raw` refuses the same line, so the zones agree.
 */
export interface TooDeep {
  readonly name: 'TooDeep';
  readonly message: string;
}

/** Something went wrong that no input should cause; the record still gets an answer. */
export interface TransformFailed {
  readonly name: 'TransformFailed';
  readonly message: string;
}

export type TransformError = NotJson | NotText | TooDeep | NotABeer | TransformFailed;

export type RecordPayload =
  | { readonly kind: 'empty' }
  | { readonly kind: 'beer'; readonly beer: RawBeer }
  | { readonly kind: 'invalid'; readonly error: TransformError };

/** Strict: a byte sequence that is not UTF-8 fails the record rather than becoming U+FFFD (a BOM is skipped). */
const utf8 = new TextDecoder('utf-8', { fatal: true });
/** A `\uD800`–`\uDFFF` escape: the only way a lone surrogate gets into text decoded strictly. */
const surrogateEscape = /\\u[dD][89a-fA-F]/;

/** Reads one record's base64 `data`. Never throws. */
export function readRecordPayload(base64Data: string): RecordPayload {
  let text: string;
  try {
    text = utf8.decode(Buffer.from(base64Data, 'base64'));
  } catch {
    return { kind: 'invalid', error: { name: 'NotText', field: '', message: 'not valid UTF-8 (an overlong, truncated or surrogate encoding)' } };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // Checked only after a failed parse: a beer never pays for it.
    if (text.trim() === '') return { kind: 'empty' };
    return { kind: 'invalid', error: { name: 'NotJson', message: `not JSON: ${wellFormedText(e instanceof Error ? e.message : String(e))}` } };
  }
  // Before any other walk: its answer names no path 100,000 brackets long.
  const tooDeep = tooDeepReason(value);
  if (tooDeep !== undefined) return { kind: 'invalid', error: { name: 'TooDeep', message: tooDeep } };
  // Walked only when the text escapes a surrogate at all: a beer rarely does.
  const lone = surrogateEscape.test(text) ? loneSurrogatePath(value) : undefined;
  if (lone !== undefined) return { kind: 'invalid', error: { name: 'NotText', field: lone, message: `${lone}: holds a lone UTF-16 surrogate, which no lake reader decodes` } };
  const parsed = parseRawBeer(value);
  return parsed.ok ? { kind: 'beer', beer: parsed.beer } : { kind: 'invalid', error: parsed.error };
}

/** One line for an error record or a log: the error's name and message. */
export function describeTransformError(error: TransformError): string {
  return `${error.name}: ${error.message}`;
}

/**
 * A raw PunkAPI record, validated against its declaration (`rawBeerColumns`): v2 and v3
 * shapes alike (v3 says `image` where v2 says `image_url`; both are declared, both
 * nullable), extra fields allowed, missing nullable fields allowed.
 */
import { compileRecordValidator, describeJsonValue, type JsonRowOf } from './json-validator';
import { rawBeerColumns } from './schema';

export type RawBeer = JsonRowOf<typeof rawBeerColumns>;
export type RawIngredients = NonNullable<RawBeer['ingredients']>;
export type RawHop = NonNullable<RawIngredients['hops']>[number];
/** `{ value, unit }`, as volumes and ingredient amounts are written. */
export type RawAmount = NonNullable<RawBeer['volume']>;

/** The value is not a PunkAPI beer: `field` is the path ('' for the record itself), `message` says why. */
export interface NotABeer {
  readonly name: 'NotABeer';
  readonly field: string;
  readonly message: string;
}

export type ParsedRawBeer = { readonly ok: true; readonly beer: RawBeer } | { readonly ok: false; readonly error: NotABeer };

const validateRawBeer = compileRecordValidator(rawBeerColumns, { allowMissing: true });

const notABeer = (field: string, reason: string): { ok: false; error: NotABeer } => ({
  ok: false,
  error: { name: 'NotABeer', field, message: field === '' ? `the record: ${reason}` : `${field}: ${reason}` },
});

/** Validates a parsed JSON value as a raw beer. The beer returned is the value itself, not a copy. */
export function parseRawBeer(value: unknown): ParsedRawBeer {
  const failure = validateRawBeer(value);
  if (failure) return notABeer(failure.field, failure.reason);
  const beer = value as RawBeer;
  // Not a column range (those null a value); an id is the record's key and must be usable as one.
  if (beer.id < 1) return notABeer('id', `expected a positive integer, got ${describeJsonValue(beer.id)}`);
  return { ok: true, beer };
}

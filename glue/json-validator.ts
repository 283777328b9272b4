/**
 * Checks a parsed JSON value against declared fields (schema.ts), so that a record's
 * validation is derived from its table declaration instead of being typed a second time.
 *
 * The declaration is compiled once into a tree of small check functions; checking a
 * record then walks only the declared fields (extra fields are ignored) and allocates
 * nothing unless it fails. The path of a failure is built while unwinding, so the common
 * case pays nothing for error reporting.
 */
import type { ColumnType, Field, RowOf } from './schema';

/** Why a value does not fit: the field path (`ingredients.hops[2].amount.value`; '' for the value itself) and the reason. */
export interface FieldFailure {
  readonly field: string;
  readonly reason: string;
}

export type RecordValidator = (value: unknown) => FieldFailure | undefined;

export interface ValidatorOptions {
  /**
   * true (raw JSON): a nullable field may be missing as well as null.
   * false (a written row): every declared field must be present, null or not.
   */
  readonly allowMissing: boolean;
}

/** The JS shape a validated value has: non-nullable fields present, the others possibly null (or missing). */
export type JsonRowOf<C extends readonly Field[]> = RowOf<C, true>;

/** A failure on its way up: path segments are prepended by each enclosing struct or array. */
interface Failure {
  readonly path: (string | number)[];
  readonly reason: string;
}

/** Checks a value known not to be null or undefined. */
type Check = (value: unknown) => Failure | undefined;

const int32Min = -(2 ** 31);
const int32Max = 2 ** 31 - 1;
/** The lake's timestamp spelling (see glue/query-engine lakeTimestampText). */
const lakeTimestamp = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/;

/** A short, readable description of what was found instead, for error messages. */
export function describeJsonValue(value: unknown): string {
  if (value === undefined) return 'nothing (missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
    case 'number':
      return `number ${value}`;
    case 'boolean':
      return `boolean ${value}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

const fail = (expected: string, value: unknown): Failure => ({ path: [], reason: `expected ${expected}, got ${describeJsonValue(value)}` });

// Glue's `int` and DuckDB's INTEGER are 32-bit: a wider number would not load.
const scalarChecks: Record<Exclude<ColumnType, object>, Check> = {
  int: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= int32Min && v <= int32Max ? undefined : fail('a 32-bit integer', v)),
  bigint: (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? undefined : fail('a safe integer', v)),
  double: (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : fail('a finite number', v)),
  string: (v) => (typeof v === 'string' ? undefined : fail('a string', v)),
  boolean: (v) => (typeof v === 'boolean' ? undefined : fail('a boolean', v)),
  timestamp: (v) => (typeof v === 'string' && lakeTimestamp.test(v) ? undefined : fail('a timestamp YYYY-MM-DD HH:MM:SS.sss', v)),
};

function compileType(type: ColumnType, options: ValidatorOptions): Check {
  if (typeof type === 'string') return scalarChecks[type];
  if (type.kind === 'array') return compileArray(compileType(type.of, options));
  return compileStruct(type.fields, options);
}

// Array elements carry no nullability in a declaration: an element must be a value.
function compileArray(element: Check): Check {
  return (value) => {
    if (!Array.isArray(value)) return fail('an array', value);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const failure = item === null || item === undefined ? fail('a value', item) : element(item);
      if (failure) {
        failure.path.unshift(i);
        return failure;
      }
    }
    return undefined;
  };
}

interface CompiledField {
  readonly name: string;
  readonly required: boolean;
  readonly check: Check;
}

function compileStruct(fields: readonly Field[], options: ValidatorOptions): Check {
  const compiled: CompiledField[] = fields.map((f) => ({ name: f.name, required: f.nullable === false, check: compileType(f.type, options) }));
  return (value) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('an object', value);
    const record = value as Record<string, unknown>;
    for (const field of compiled) {
      const v = record[field.name];
      let failure: Failure | undefined;
      if (v === undefined) {
        if (field.required || !options.allowMissing) failure = { path: [], reason: field.required ? 'required, but missing' : 'missing (expected the key, null or a value)' };
      } else if (v === null) {
        if (field.required) failure = { path: [], reason: 'required, but null' };
      } else {
        failure = field.check(v);
      }
      if (failure) {
        failure.path.unshift(field.name);
        return failure;
      }
    }
    return undefined;
  };
}

function formatPath(path: readonly (string | number)[]): string {
  let text = '';
  for (const segment of path) text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  return text;
}

/** Compiles a validator for a record with the given fields (e.g. `rawBeerColumns`). */
export function compileRecordValidator(fields: readonly Field[], options: ValidatorOptions): RecordValidator {
  const check = compileStruct(fields, options);
  return (value) => {
    const failure = check(value);
    return failure && { field: formatPath(failure.path), reason: failure.reason };
  };
}

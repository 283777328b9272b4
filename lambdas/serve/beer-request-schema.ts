/**
 * The API's request and response shapes, derived from the lake's schema (`glue/schema.ts`):
 * field names, descriptions and physical ranges come from the cleaned columns, so the
 * API can never disagree with the table the model was trained on.
 */
import { z } from '@hono/zod-openapi';
import { clientRequestIdDescription } from './request-ids';
import { hasLoneSurrogate } from '../../glue/lake-text';
import { baseFeatureColumns, cleanedBeerColumns, hopAdditionFields, predictionLogColumns, type BaseFeatureName, type Column, type Field } from '../../glue/schema';

// An example that passes the ranges above: Punk IPA's cleaned features.
const exampleBeerValues: Record<string, number> = { abv: 5.6, target_fg: 1010, target_og: 1056, ebc: 17, srm: 8.5, ph: 4.4 };
export const exampleBeer: BeerInput = {
  ...(Object.fromEntries(baseFeatureColumns.map((c) => [c.name, exampleBeerValues[c.name] ?? null])) as Record<BaseFeatureName, number | null>),
  volume_litres: 20,
  hops: [
    { name: 'Ahtanum', grams: 17.5, add: 'start', attribute: 'bitter' },
    { name: 'Simcoe', grams: 12.5, add: 'middle', attribute: 'flavour' },
    { name: 'Chinook', grams: 20, add: 'end', attribute: 'flavour' },
  ],
};

/*
 * Bounds on what one beer may carry, so that no anonymous body (1 MiB of `{}`s is 340,000
 * hops) turns into a huge log line or model input. Drawn from the catalogue (punkapi-db, 325
 * beers): the largest real hop bill has 18 additions, the longest hop name 65 characters and
 * the longest `add`/`attribute` 15. The caps leave about 3.5x and 2x of headroom.
 */
/** Most hop additions one beer may list. */
export const maxHopsPerBeer = 64;
/** Longest hop `name`, `add` or `attribute`, in code points (as zod's `.max` counts a string). */
export const maxHopTextLength = 128;

type Ranged = Pick<Column, 'name' | 'comment' | 'range'>;
type Range = NonNullable<Column['range']>;

/** A number column as the API takes it: finite, inside the column's physical range. */
function rangedNumber(column: Ranged) {
  let schema = z.number({ error: (issue) => (issue.input === undefined ? 'required' : `expected a number, got ${describeInput(issue.input)}`) });
  const { min, max } = column.range ?? {};
  if (min !== undefined) schema = schema.min(min, { error: `below the physical minimum ${min}` });
  if (max !== undefined) schema = schema.max(max, { error: `above the physical maximum ${max}` });
  return schema;
}

function describeInput(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'a list';
  if (typeof input === 'string') return `the string ${JSON.stringify(input.length > 20 ? `${input.slice(0, 20)}…` : input)}`;
  if (typeof input === 'number') return String(input);
  return typeof input;
}

/** Text the lake can hold: a lone UTF-16 surrogate would make `prediction_log` unreadable (glue/lake-text.ts). */
const wellFormedString = () =>
  z
    .string({ error: (issue) => `expected a string, got ${describeInput(issue.input)}` })
    .refine((text) => !hasLoneSurrogate(text), { error: 'holds a lone UTF-16 surrogate (half of a pair, e.g. \\ud800): not text' });

const columnNamed = <N extends string>(name: N) => {
  const column = cleanedBeerColumns.find((c) => c.name === name);
  if (!column) throw new Error(`glue/schema.ts has no cleaned column ${name}`);
  return column as Ranged;
};

/** The stage is derived from `add` on the server (glue/hops.ts), so clients never send it. */
const hopInputFields = (hopAdditionFields as readonly Field[]).filter((f) => f.name !== 'stage');
/** Hop amounts are grams: never negative. */
const hopNumberRange: Range = { min: 0 };

const volume = columnNamed('volume_litres');
const hops = columnNamed('hops');
const ibu = columnNamed('ibu');

/** Base features: required, a number or null for "unknown". */
const baseFeatureShape = Object.fromEntries(
  baseFeatureColumns.map((c) => [c.name, rangedNumber(c).nullable().openapi({ description: `${c.comment} (null when unknown)`, example: exampleBeerValues[c.name] })]),
) as Record<BaseFeatureName, z.ZodNullable<z.ZodNumber>>;

const hopAdditionShape = Object.fromEntries(
  hopInputFields.map((f) => {
    const base = f.type === 'double' ? rangedNumber({ name: f.name, comment: f.comment ?? '', range: hopNumberRange }) : wellFormedString().max(maxHopTextLength, { error: `longer than ${maxHopTextLength} characters` });
    // An unknown amount is missing for the model and drift (model/features.ts), never 0 grams.
    const unknown = f.type === 'double' ? '; null or left out: unknown, never read as 0' : '';
    return [f.name, base.nullable().optional().openapi({ description: `${f.comment ?? f.name}${unknown}` })];
  }),
);

export const hopAdditionInputSchema = z.object(hopAdditionShape).openapi('HopAddition', {
  description: 'One hop addition. The stage (start, middle, end, dry_hop) is derived from `add` on the server.',
  example: { name: 'Simcoe', grams: 12.5, add: 'start', attribute: 'bitter' },
});

export interface HopAdditionInput {
  readonly name?: string | null;
  readonly grams?: number | null;
  readonly add?: string | null;
  readonly attribute?: string | null;
}

/** One beer as `POST /predict` takes it. Unknown fields are ignored, so a cleaned record can be sent as it is. */
export type BeerInput = { readonly [K in BaseFeatureName]: number | null } & {
  /** The client's id for the beer, carried into the prediction log (never read by the model). */
  readonly id?: number | null;
  readonly volume_litres?: number | null;
  readonly hops?: readonly HopAdditionInput[];
};

/** The client's beer id: a whole number in the log's `id` column range, so the log can always hold it. */
const beerIdColumn = predictionLogColumns.find((c) => c.name === 'id')!;
const beerIdRange = beerIdColumn.range;
const beerIdSchema = z
  .number({ error: (issue) => `expected a whole number, got ${describeInput(issue.input)}` })
  .int({ error: 'expected a whole number' })
  .min(beerIdRange.min, { error: `below the minimum ${beerIdRange.min}` })
  .max(beerIdRange.max, { error: `above the maximum ${beerIdRange.max}` });
const isBeerId = (value: unknown) => Number.isInteger(value) && withinRange(value, beerIdRange);

const beerShape = {
  id: beerIdSchema.nullable().optional().openapi({ description: `${beerIdColumn.comment} (optional)`, example: 1 }),
  ...baseFeatureShape,
  volume_litres: rangedNumber(volume).nullable().optional().openapi({ description: `${volume.comment} (optional)` }),
  hops: z
    .array(hopAdditionInputSchema)
    .max(maxHopsPerBeer, { error: `more than ${maxHopsPerBeer} hop additions (the catalogue's largest bill has 18)` })
    .optional()
    .openapi({ description: `${hops.comment} (optional; at most ${maxHopsPerBeer} additions)` }),
};

export const beerInputSchema = z.object(beerShape).openapi('Beer', {
  description: 'The features of one beer, by field name. Base features are required (null when unknown); the hop bill and volume are optional.',
});

/*
 * The same rules as `beerInputSchema`, read from the same columns, as plain loops: the hot
 * path of `/predict` accepts a valid body at a tenth of zod's cost (zod's async parse, which
 * Hono's validator runs, skips zod's compiled fast path). Zod stays the contract: the
 * OpenAPI document is drawn from it, and a body these loops refuse is parsed by zod for
 * its field-by-field reasons. A property test holds the two to the same verdict.
 */
const withinRange = (value: unknown, range: Range | undefined): boolean =>
  typeof value === 'number' && Number.isFinite(value) && !(range?.min !== undefined && value < range.min) && !(range?.max !== undefined && value > range.max);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const baseFeatureRanges = (baseFeatureColumns as readonly Ranged[]).map((c) => [c.name, c.range] as const);
const hopFieldRules = hopInputFields.map((f) => [f.name, f.type === 'double' ? hopNumberRange : 'string'] as const);

/** Longer than `maxHopTextLength` code points; the code-unit length is an upper bound that settles most texts at once. */
function tooLongText(text: string): boolean {
  if (text.length <= maxHopTextLength) return false;
  let points = 0;
  for (const _ of text) if (++points > maxHopTextLength) return true;
  return false;
}

function isHopAdditionInput(value: unknown): boolean {
  if (!isRecord(value)) return false;
  for (const [name, rule] of hopFieldRules) {
    const field = value[name];
    if (field === undefined || field === null) continue;
    if (rule === 'string' ? typeof field !== 'string' || tooLongText(field) || hasLoneSurrogate(field) : !withinRange(field, rule)) return false;
  }
  return true;
}

/** Whether `beerInputSchema` accepts `value`, without building zod's result. */
export function isBeerInput(value: unknown): value is BeerInput {
  if (!isRecord(value)) return false;
  for (const [name, range] of baseFeatureRanges) {
    const field = value[name];
    if (field !== null && !withinRange(field, range)) return false;
  }
  const id = value.id;
  if (id !== undefined && id !== null && !isBeerId(id)) return false;
  const litres = value.volume_litres;
  if (litres !== undefined && litres !== null && !withinRange(litres, volume.range)) return false;
  const bill = value.hops;
  if (bill === undefined) return true;
  if (!Array.isArray(bill) || bill.length > maxHopsPerBeer) return false;
  for (const hop of bill) if (!isHopAdditionInput(hop)) return false;
  return true;
}

/** A beer with its measured IBU, as `POST /retrain` takes it. */
export const labelledBeerInputSchema = z
  .object({ ...beerShape, ibu: rangedNumber(ibu).openapi({ description: ibu.comment }) })
  .openapi('LabelledBeer', { description: 'A beer with its measured IBU, for retraining.' });

export type LabelledBeerInput = BeerInput & { readonly ibu: number };

/** `POST /predict` body: one beer, or a non-empty list of at most `maxBatchSize`. */
export function predictRequestSchemas(maxBatchSize: number) {
  const list = z
    .array(beerInputSchema)
    .min(1, { error: 'the list is empty: send at least one beer' })
    .max(maxBatchSize, { error: `the list holds more than the maximum batch size ${maxBatchSize}` })
    .openapi('BeerList', { description: `One to ${maxBatchSize} beers; the answer keeps their order.` });
  const body = z.union([beerInputSchema, list]).openapi('PredictRequest', {
    description: 'One beer, or a list of beers.',
    example: exampleBeer,
  });
  /** Whether `body` accepts `value` (see `isBeerInput`). */
  const accepts = (value: unknown): value is BeerInput | BeerInput[] =>
    Array.isArray(value) ? value.length >= 1 && value.length <= maxBatchSize && value.every(isBeerInput) : isBeerInput(value);
  return { single: beerInputSchema, list, body, accepts };
}

export const predictResponseSchema = z
  .object({
    model_version: z.string().openapi({ description: 'registry version that answered' }),
    request_id: z.string().openapi({ description: "the server's id of this request (also in the X-Request-Id header)" }),
    client_request_id: z.string().optional().openapi({ description: clientRequestIdDescription }),
    predictions: z
      .array(z.object({ ibu: z.number().openapi({ description: 'predicted international bitterness units' }) }))
      .openapi({ description: 'one per beer, in the order sent' }),
  })
  .openapi('PredictResponse');

export type PredictResponse = z.infer<typeof predictResponseSchema>;

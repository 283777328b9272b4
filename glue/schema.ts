/**
 * The lake's tables, declared once.
 *
 * Every other part of brewlake derives its columns from these declarations: the Glue
 * tables and Athena DDL (stacks/), the DuckDB views (glue/duckdb), the transform's
 * projection (lambdas/transform), the API's request schema (lambdas/serve) and the
 * model's feature list (model/). Add a column here and it appears everywhere; nobody
 * types a column list twice.
 */

export type ScalarType = 'int' | 'bigint' | 'double' | 'string' | 'boolean' | 'timestamp';

export type ColumnType =
  | ScalarType
  | { readonly kind: 'array'; readonly of: ColumnType }
  | { readonly kind: 'struct'; readonly fields: readonly Field[] };

export interface Field {
  readonly name: string;
  readonly type: ColumnType;
  /** Absent or true: the value may be null (or, in raw JSON, missing). */
  readonly nullable?: boolean;
  readonly comment?: string;
}

export interface Column extends Field {
  readonly comment: string;
  /**
   * The physically possible range. A value outside it is a data-entry error, not a
   * measurement: cleaning sets it to null and flags the row (see `dq_flags`). A value
   * inside it, however extreme (ibu 1157), is kept as it is.
   */
  readonly range?: { readonly min?: number; readonly max?: number };
  /** One of the IBU model's base features. */
  readonly feature?: 'base';
}

export interface TableDefinition {
  readonly name: string;
  readonly description: string;
  /** Where the table's files live, relative to the lake root (an S3 key prefix). */
  readonly prefix: string;
  readonly columns: readonly Column[];
}

const array = <T extends ColumnType>(of: T) => ({ kind: 'array', of }) as const;
const struct = <F extends readonly Field[]>(fields: F) => ({ kind: 'struct', fields }) as const;

const amount = struct([
  { name: 'value', type: 'double' },
  { name: 'unit', type: 'string' },
] as const);

/** A PunkAPI beer as collected: the v2 shape, plus `image`, which v3 says instead of `image_url`. */
export const rawBeerColumns = [
  { name: 'id', type: 'int', nullable: false, comment: 'PunkAPI beer id' },
  { name: 'name', type: 'string', nullable: false, comment: 'beer name' },
  { name: 'tagline', type: 'string', comment: 'one-line description' },
  { name: 'first_brewed', type: 'string', comment: 'MM/YYYY or YYYY' },
  { name: 'description', type: 'string', comment: 'long description' },
  { name: 'image_url', type: 'string', comment: 'image address (v2)' },
  { name: 'image', type: 'string', comment: 'image file name (v3)' },
  { name: 'abv', type: 'double', comment: 'alcohol by volume, %' },
  { name: 'ibu', type: 'double', comment: 'international bitterness units' },
  { name: 'target_fg', type: 'double', comment: 'target final gravity, SG x 1000' },
  { name: 'target_og', type: 'double', comment: 'target original gravity, SG x 1000' },
  { name: 'ebc', type: 'double', comment: 'colour, European Brewery Convention' },
  { name: 'srm', type: 'double', comment: 'colour, Standard Reference Method' },
  { name: 'ph', type: 'double', comment: 'pH' },
  { name: 'attenuation_level', type: 'double', comment: 'apparent attenuation, %' },
  { name: 'volume', type: amount, comment: 'batch volume' },
  { name: 'boil_volume', type: amount, comment: 'boil volume' },
  {
    name: 'method',
    type: struct([
      {
        name: 'mash_temp',
        type: array(struct([{ name: 'temp', type: amount }, { name: 'duration', type: 'double' }] as const)),
      },
      { name: 'fermentation', type: struct([{ name: 'temp', type: amount }] as const) },
      { name: 'twist', type: 'string' },
    ] as const),
    comment: 'mash, fermentation and twist',
  },
  {
    name: 'ingredients',
    type: struct([
      { name: 'malt', type: array(struct([{ name: 'name', type: 'string' }, { name: 'amount', type: amount }] as const)) },
      {
        name: 'hops',
        type: array(
          struct([
            { name: 'name', type: 'string' },
            { name: 'amount', type: amount },
            { name: 'add', type: 'string' },
            { name: 'attribute', type: 'string' },
          ] as const),
        ),
      },
      { name: 'yeast', type: 'string' },
    ] as const),
    comment: 'malt bill, hop bill and yeast',
  },
  { name: 'food_pairing', type: array('string'), comment: 'suggested food' },
  { name: 'brewers_tips', type: 'string', comment: "brewer's tips" },
  { name: 'contributed_by', type: 'string', comment: 'who contributed the recipe' },
] as const satisfies readonly Column[];

/** One hop addition in the cleaned hop bill. */
export const hopAdditionFields = [
  { name: 'name', type: 'string', comment: 'hop variety' },
  { name: 'grams', type: 'double', comment: 'amount in grams (kilograms converted; null for other units)' },
  { name: 'add', type: 'string', comment: 'addition as written: start, 60, Flame Out, dry hop, ...' },
  { name: 'stage', type: 'string', comment: 'normalised stage: start | middle | end | dry_hop | other' },
  { name: 'attribute', type: 'string', comment: 'normalised purpose: bitter | flavour | aroma | other' },
] as const satisfies readonly Field[];

/**
 * The cleaned zone: what the transform Lambda writes, one JSON line per beer, in this
 * column order. The model reads its base features and hop bill from here.
 */
export const cleanedBeerColumns = [
  { name: 'id', type: 'int', nullable: false, comment: 'PunkAPI beer id; the key the beers view de-duplicates on' },
  { name: 'name', type: 'string', nullable: false, comment: 'beer name' },
  { name: 'first_brewed', type: 'string', comment: 'as written: MM/YYYY or YYYY' },
  { name: 'first_brewed_year', type: 'int', comment: 'year of first brew', range: { min: 1800, max: 2100 } },
  { name: 'first_brewed_month', type: 'int', comment: 'month of first brew, null when only the year is known', range: { min: 1, max: 12 } },
  { name: 'abv', type: 'double', comment: 'alcohol by volume, %', range: { min: 0, max: 100 }, feature: 'base' },
  { name: 'ibu', type: 'double', comment: 'international bitterness units: the model target', range: { min: 0 } },
  { name: 'target_fg', type: 'double', comment: 'target final gravity, SG x 1000', range: { min: 980, max: 1200 }, feature: 'base' },
  { name: 'target_og', type: 'double', comment: 'target original gravity, SG x 1000', range: { min: 1000, max: 1200 }, feature: 'base' },
  { name: 'ebc', type: 'double', comment: 'colour, European Brewery Convention', range: { min: 0, max: 1000 }, feature: 'base' },
  { name: 'srm', type: 'double', comment: 'colour, Standard Reference Method', range: { min: 0, max: 500 }, feature: 'base' },
  { name: 'ph', type: 'double', comment: 'pH', range: { min: 0, max: 14 }, feature: 'base' },
  { name: 'volume_litres', type: 'double', comment: 'batch volume in litres', range: { min: 0 } },
  { name: 'boil_volume_litres', type: 'double', comment: 'boil volume in litres', range: { min: 0 } },
  { name: 'hops', type: array(struct(hopAdditionFields)), nullable: false, comment: 'hop bill, one entry per addition' },
  { name: 'dq_flags', type: array('string'), nullable: false, comment: 'data-quality flags, e.g. ph_out_of_range' },
  { name: 'arrived_at', type: 'timestamp', nullable: false, comment: 'when the record reached the stream (UTC)' },
] as const satisfies readonly Column[];

/** What a row of the predictions table is: a fit of the beer the model trained on, or an honest out-of-fold guess. */
export const predictionKinds = ['in_sample', 'out_of_fold'] as const;
export type PredictionKind = (typeof predictionKinds)[number];

/**
 * Predictions of the model, one file per version and kind: `brewlake score` writes the
 * promoted model's `in_sample` rows (every beer, including those it trained on), `brewlake
 * train` each version's `out_of_fold` rows (each beer predicted by the folds' models that
 * did not see it: the rows for error analysis).
 */
export const predictionColumns = [
  { name: 'id', type: 'int', nullable: false, comment: 'PunkAPI beer id' },
  { name: 'name', type: 'string', comment: 'beer name' },
  { name: 'ibu', type: 'double', comment: 'measured IBU, when known' },
  { name: 'predicted_ibu', type: 'double', nullable: false, comment: 'model prediction' },
  { name: 'model_version', type: 'string', nullable: false, comment: 'registry version that scored the row' },
  { name: 'feature_set', type: 'string', nullable: false, comment: 'base | hops' },
  { name: 'kind', type: 'string', nullable: false, comment: `${predictionKinds.join(' | ')}: in_sample from the score command (fits, not accuracy), out_of_fold from training's cross-validation` },
  { name: 'repeat', type: 'int', comment: 'out_of_fold: which repeat of the k-fold cross-validation (each repeat predicts every beer once); null for in_sample' },
  { name: 'scored_at', type: 'timestamp', nullable: false, comment: 'when the row was scored (UTC)' },
] as const satisfies readonly Column[];

/** The model's inputs as the API received them: the cleaned columns the features read. */
type CleanedColumn = (typeof cleanedBeerColumns)[number];
type PredictionInputColumn = Extract<CleanedColumn, { feature: 'base' } | { name: 'volume_litres' | 'hops' }>;
const predictionInputColumns = cleanedBeerColumns.filter(
  (c): c is PredictionInputColumn => ('feature' in c && c.feature === 'base') || c.name === 'volume_litres' || c.name === 'hops',
);

/**
 * Every answered prediction, logged by the serving app (monitoring and drift). Its input
 * columns are the cleaned table's, so live traffic and training data compare column by column.
 */
export const predictionLogColumns = [
  { name: 'request_id', type: 'string', nullable: false, comment: 'request id (one request may hold many beers)' },
  { name: 'item', type: 'int', nullable: false, comment: 'position of the beer in the request' },
  { name: 'predicted_at', type: 'timestamp', nullable: false, comment: 'when the prediction was answered (UTC)' },
  { name: 'model_version', type: 'string', nullable: false, comment: 'registry version that answered' },
  { name: 'feature_set', type: 'string', nullable: false, comment: 'base | hops: the features of the model that answered (base when the hop-bill model fell back for a beer sent without a hop bill)' },
  { name: 'id', type: 'int', comment: "the client's id for the beer, when the request sent one (the PunkAPI id joins to beers.id)", range: { min: 1, max: 2_147_483_647 } },
  ...predictionInputColumns.map((c) => ({
    ...c,
    nullable: true as const,
    // Logged compactly (lambdas/serve/prediction-log.ts): a body of empty hops must not become a log many times its size.
    ...(c.name === 'hops' ? { comment: 'hop bill as sent, one entry per addition: a field the client did not send is null, and so is the stage of an addition sent without add' } : {}),
  })),
  { name: 'predicted_ibu', type: 'double', nullable: false, comment: 'the answer' },
  { name: 'latency_ms', type: 'double', nullable: false, comment: 'request latency in milliseconds' },
] as const satisfies readonly Column[];

export const rawBeerTable = {
  name: 'raw',
  description: 'PunkAPI beers as collected, one JSON line per record',
  prefix: 'raw/',
  columns: rawBeerColumns,
} as const satisfies TableDefinition;

export const cleanedBeerTable = {
  name: 'cleaned',
  description: 'Cleaned beers: validated, ranges checked, hop bill normalised',
  prefix: 'cleaned/',
  columns: cleanedBeerColumns,
} as const satisfies TableDefinition;

export const predictionTable = {
  name: 'predictions',
  description: 'IBU predictions of the promoted model for every cleaned beer',
  prefix: 'predictions/',
  columns: predictionColumns,
} as const satisfies TableDefinition;

export const predictionLogTable = {
  name: 'prediction_log',
  description: 'Every prediction the serving app answered: inputs, answer, model version, latency',
  prefix: 'prediction_log/',
  columns: predictionLogColumns,
} as const satisfies TableDefinition;

/** Every table in the lake, in the order a catalogue lists them. */
export const lakeTables = [rawBeerTable, cleanedBeerTable, predictionTable, predictionLogTable] as const satisfies readonly TableDefinition[];

/** The de-duplicated view: the latest cleaned record per beer id. */
export const beersView = {
  name: 'beers',
  description: 'One row per beer: the latest cleaned record by arrived_at',
  source: cleanedBeerTable,
  key: 'id',
  latestBy: 'arrived_at',
} as const;

// ---- TypeScript types, derived from the declarations above -------------------------

type TsOfType<T, Loose extends boolean> = T extends 'int' | 'bigint' | 'double'
  ? number
  : T extends 'string' | 'timestamp'
    ? string
    : T extends 'boolean'
      ? boolean
      : T extends { kind: 'array'; of: infer O }
        ? TsOfType<O, Loose>[]
        : T extends { kind: 'struct'; fields: infer F extends readonly Field[] }
          ? RowOf<F, Loose>
          : never;

/**
 * The row type of a column list: non-nullable columns are required, the rest may be null.
 * `Loose`: as JSON arrives, where a nullable field may also be missing altogether.
 */
export type RowOf<C extends readonly Field[], Loose extends boolean = false> = Loose extends true
  ? { [K in C[number] as K['nullable'] extends false ? K['name'] : never]: TsOfType<K['type'], true> } & {
      [K in C[number] as K['nullable'] extends false ? never : K['name']]?: TsOfType<K['type'], true> | null;
    }
  : { [K in C[number] as K['name']]: K['nullable'] extends false ? TsOfType<K['type'], false> : TsOfType<K['type'], false> | null };

export type CleanedBeer = RowOf<typeof cleanedBeerColumns>;
export type HopAddition = RowOf<typeof hopAdditionFields>;
export type PredictionRow = RowOf<typeof predictionColumns>;
export type PredictionLogRow = RowOf<typeof predictionLogColumns>;
export type HopStage = 'start' | 'middle' | 'end' | 'dry_hop' | 'other';
export type HopAttribute = 'bitter' | 'flavour' | 'aroma' | 'other';

/** The base features of the IBU model, in declaration order. */
export const baseFeatureColumns = cleanedBeerColumns.filter((c) => 'feature' in c && c.feature === 'base');
export type BaseFeatureName = Extract<(typeof cleanedBeerColumns)[number], { feature: 'base' }>['name'];
export const baseFeatureNames = baseFeatureColumns.map((c) => c.name) as readonly BaseFeatureName[];

export function columnNames(table: TableDefinition): string[] {
  return table.columns.map((c) => c.name);
}

/**
 * The training set, read from the lake with the saved `training-set` query, through
 * whichever engine serves the lake (DuckDB locally, Athena in AWS): the same SQL both ways.
 */
import { createHash } from 'node:crypto';
import type { QueryEngine } from '../glue/query-engine';
import { savedQuery } from '../glue/saved-queries';
import { baseFeatureNames } from '../glue/schema';
import { brewlakeCommand } from '../glue/command-hint';
import type { FeatureInput, HopInput } from './features';
import type { TrainingRow } from './train';

export interface TrainingSet {
  readonly sql: string;
  readonly rows: readonly TrainingRow[];
  /** SHA-256 of the rows as trained on (after conversion), for the lineage. */
  readonly dataHash: string;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : v === null || v === undefined ? null : Number(v));

/** A query row (the cleaned columns, by name) as the features read it. */
export function featureInputOfRow(row: Record<string, unknown>): FeatureInput {
  const base = Object.fromEntries(baseFeatureNames.map((name) => [name, num(row[name])])) as Record<(typeof baseFeatureNames)[number], number | null>;
  const hops = typeof row.hops === 'string' ? hopsFromText(row.hops) : (row.hops as HopInput[] | null);
  return { ...base, volume_litres: num(row.volume_litres), hops: hops ?? null };
}

export function trainingRowOf(row: Record<string, unknown>): TrainingRow {
  return { ...featureInputOfRow(row), id: Number(row.id), ibu: Number(row.ibu) };
}

/**
 * Athena returns an `array<struct>` column as text, `[{name=Chinook, grams=20.0, add=start, …}, …]`,
 * not JSON: this reads that form (and JSON, should an engine send it) into hop additions.
 */
export function hopsFromText(text: string): HopInput[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[{"') || trimmed === '[]') return JSON.parse(trimmed) as HopInput[];
  const inner = trimmed.replace(/^\[\{?/, '').replace(/\}?\]$/, '');
  if (inner === '') return [];
  return inner.split(/\},\s*\{/).map((item) => {
    const fields: Record<string, string | null> = {};
    for (const pair of item.split(/,\s*(?=[a-z_]+=)/)) {
      const at = pair.indexOf('=');
      const value = pair.slice(at + 1).trim();
      fields[pair.slice(0, at).trim()] = value === 'null' ? null : value;
    }
    return {
      name: fields.name ?? null,
      grams: fields.grams === null || fields.grams === undefined ? null : Number(fields.grams),
      add: fields.add ?? null,
      stage: fields.stage ?? null,
      attribute: fields.attribute ?? null,
    };
  });
}

/**
 * The training-set query found nothing. `beers`: how many beers the lake holds; 0 when it was
 * never filled (build it), more when none of them has the measured IBU the model learns
 * (building the lake again would not help).
 */
export class NoTrainingRows extends Error {
  override readonly name = 'NoTrainingRows';
  constructor(
    engine: QueryEngine,
    readonly beers: number,
  ) {
    const lakeDir = 'lakeDir' in engine && typeof engine.lakeDir === 'string' ? engine.lakeDir : undefined;
    const where = lakeDir !== undefined ? `the lake at ${lakeDir}` : `the lake on ${engine.kind}`;
    super(
      beers > 0
        ? `${where} holds ${beers} beer(s), none with a measured IBU (the model's target, column ibu): nothing to train on until beers with an ibu arrive`
        : lakeDir !== undefined
          ? `${where} has no beers to train on: build it first with \`${brewlakeCommand('demo --once', { lake: lakeDir, always: true })}\``
          : `${where} has no beers to train on: deploy and run the ingest first (docs/deploy.md)`,
    );
  }
}

/** How many beers the lake holds (0 when it cannot say): told apart from how many carry an IBU. */
async function countBeers(engine: QueryEngine): Promise<number> {
  try {
    return Number((await engine.query('select count(*) as n from beers')).rows[0]?.n ?? 0);
  } catch {
    return 0;
  }
}

export async function loadTrainingSet(engine: QueryEngine): Promise<TrainingSet> {
  const sql = savedQuery('training-set').sql;
  const result = await engine.query(sql);
  if (result.rows.length === 0) throw new NoTrainingRows(engine, await countBeers(engine));
  const rows = result.rows.map(trainingRowOf);
  return { sql, rows, dataHash: hashRows(rows) };
}

export function hashRows(rows: readonly unknown[]): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${JSON.stringify(row)}\n`);
  return hash.digest('hex');
}

/**
 * One raw beer into one cleaned row: exactly the `cleanedBeerColumns`, in declaration
 * order. A column the raw record also has (same name, same type) is copied; the others
 * are derived below. A value outside its column's physical range becomes null and the row
 * is flagged `<column>_out_of_range`; nothing about a real beer makes it rejected.
 */
import { glueType } from '../../glue/column-types';
import { normalizeHop } from '../../glue/hops';
import { parseRawBeer, type NotABeer, type RawAmount, type RawBeer } from '../../glue/raw-beer';
import { cleanedBeerColumns, rawBeerColumns, type CleanedBeer, type Column } from '../../glue/schema';
import { lakeTimestampText } from '../../glue/query-engine';

type RawColumnName = (typeof rawBeerColumns)[number]['name'];
type DerivedColumnName = Exclude<keyof CleanedBeer, RawColumnName>;
/** The cleaned columns the raw record does not have, computed from it. */
type DerivedColumns = { [K in DerivedColumnName]: CleanedBeer[K] };

/** Data-quality flags a row can carry in `dq_flags`. */
export const dqFlag = {
  outOfRange: (column: string) => `${column}_out_of_range`,
  notLitres: (column: string) => `${column}_unit_not_litres`,
  firstBrewedUnreadable: 'first_brewed_unreadable',
} as const;

export type CleanedBeerResult = { readonly ok: true; readonly beer: CleanedBeer } | { readonly ok: false; readonly error: NotABeer };

interface ProjectedColumn {
  readonly name: keyof CleanedBeer;
  readonly fromRaw: boolean;
  readonly min: number;
  readonly max: number;
  readonly ranged: boolean;
  readonly outOfRangeFlag: string;
}

const rawColumnsByName = new Map<string, Column>(rawBeerColumns.map((c) => [c.name, c]));

// Copying is only right while the two declarations agree: fail at load, not on a record, if they drift apart.
const projection: readonly ProjectedColumn[] = (cleanedBeerColumns as readonly Column[]).map((column) => {
  const raw = rawColumnsByName.get(column.name);
  if (raw && (glueType(raw.type) !== glueType(column.type) || (column.nullable === false && raw.nullable !== false))) {
    throw new Error(`cleaned column ${column.name} cannot be copied from the raw column of the same name: declarations differ`);
  }
  return {
    name: column.name as keyof CleanedBeer,
    fromRaw: raw !== undefined,
    min: column.range?.min ?? -Infinity,
    max: column.range?.max ?? Infinity,
    ranged: column.range !== undefined,
    outOfRangeFlag: dqFlag.outOfRange(column.name),
  };
});

const firstBrewedPattern = /^\s*(?:(\d{1,2})\s*\/\s*)?(\d{4})\s*$/;

function firstBrewed(text: string | null | undefined, flags: string[]): { year: number | null; month: number | null } {
  if (text === null || text === undefined) return { year: null, month: null };
  const match = firstBrewedPattern.exec(text);
  if (!match) {
    flags.push(dqFlag.firstBrewedUnreadable);
    return { year: null, month: null };
  }
  return { year: Number(match[2]), month: match[1] === undefined ? null : Number(match[1]) };
}

const litreUnits = new Set(['litres', 'liters', 'litre', 'liter', 'l']);

function litres(amount: RawAmount | null | undefined, column: DerivedColumnName, flags: string[]): number | null {
  if (amount?.value === null || amount?.value === undefined) return null;
  const unit = amount.unit;
  if (unit !== null && unit !== undefined && (litreUnits.has(unit) || litreUnits.has(unit.trim().toLowerCase()))) return amount.value;
  flags.push(dqFlag.notLitres(column));
  return null;
}

function derivedColumns(beer: RawBeer, arrivedAt: string, flags: string[]): DerivedColumns {
  const brewed = firstBrewed(beer.first_brewed, flags);
  return {
    first_brewed_year: brewed.year,
    first_brewed_month: brewed.month,
    volume_litres: litres(beer.volume, 'volume_litres', flags),
    boil_volume_litres: litres(beer.boil_volume, 'boil_volume_litres', flags),
    hops: beer.ingredients?.hops?.map(normalizeHop) ?? [],
    // The same array: range checks below may still add to it.
    dq_flags: flags,
    arrived_at: arrivedAt,
  };
}

/** Cleans a beer that has already passed `parseRawBeer`. `arrivedAt` is lake timestamp text. */
export function cleanValidBeer(beer: RawBeer, arrivedAt: string): CleanedBeer {
  const flags: string[] = [];
  const derived = derivedColumns(beer, arrivedAt, flags) as Record<string, unknown>;
  const source = beer as Record<string, unknown>;
  const row: Record<string, unknown> = {};
  for (const column of projection) {
    let value = column.fromRaw ? (source[column.name] ?? null) : derived[column.name];
    if (column.ranged && typeof value === 'number' && (value < column.min || value > column.max)) {
      flags.push(column.outOfRangeFlag);
      value = null;
    }
    row[column.name] = value;
  }
  return row as CleanedBeer;
}

/** Validates and cleans one raw beer (any parsed JSON value) that reached the stream at `arrivedAt`. */
export function cleanBeer(raw: unknown, arrivedAt: Date): CleanedBeerResult {
  const parsed = parseRawBeer(raw);
  if (!parsed.ok) return parsed;
  return { ok: true, beer: cleanValidBeer(parsed.beer, lakeTimestampText(arrivedAt.getTime())) };
}

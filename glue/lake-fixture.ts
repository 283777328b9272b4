/**
 * Test fixture: a lake folder written the way Firehose writes it, and the real catalogue
 * projected onto the cleaned columns. Tests of the query engines, the saved queries and the
 * `brewlake query` command build their lakes with it; nothing in production imports it.
 *
 * The projection is deliberately minimal (ranges from glue/schema, units to litres and
 * grams): it stands in for the transform so that glue/ tests need nothing above glue/.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { firehoseObjectKey } from './layout';
import { lakeTimestampText } from './query-engine';
import { cleanedBeerColumns, cleanedBeerTable, type CleanedBeer, type HopAddition, type TableDefinition } from './schema';

interface CatalogueBeer {
  id: number;
  name: string;
  first_brewed: string | null;
  abv: number | null;
  ibu: number | null;
  target_fg: number | null;
  target_og: number | null;
  ebc: number | null;
  srm: number | null;
  ph: number | null;
  volume: { value: number; unit: string } | null;
  boil_volume: { value: number; unit: string } | null;
  ingredients: { hops: { name: string; amount: { value: number; unit: string }; add: string; attribute: string }[] };
}

export const catalogue = createRequire(import.meta.url)('punkapi-db/data.json') as CatalogueBeer[];

/** Writes one delivered file of JSON lines at the Firehose key for `time`; returns its path. */
export async function writeLakeFile(
  lakeDir: string,
  table: Pick<TableDefinition, 'name' | 'prefix'>,
  rows: readonly unknown[],
  opts: { time: Date; id: string },
): Promise<string> {
  const key = firehoseObjectKey({ prefix: table.prefix, deliveryStream: table.name, time: opts.time, id: opts.id });
  const path = join(lakeDir, key);
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, rows.map((r) => JSON.stringify(r) + '\n').join(''));
  return path;
}

const litres = (amount: { value: number; unit: string } | null) => (amount?.unit === 'litres' ? amount.value : null);

const grams = (amount: { value: number; unit: string }) =>
  amount.unit === 'grams' ? amount.value : amount.unit === 'kilograms' ? amount.value * 1000 : null;

function hopStage(add: string): HopAddition['stage'] {
  const a = add.toLowerCase().replace(/[\s_]+/g, ' ').trim();
  if (a === 'start' || a === 'middle' || a === 'end') return a;
  if (a === 'dry hop') return 'dry_hop';
  return 'other';
}

function hopAttribute(attribute: string): HopAddition['attribute'] {
  const a = attribute.toLowerCase().trim();
  return a === 'bitter' || a === 'flavour' || a === 'aroma' ? a : 'other';
}

/** One catalogue beer on the cleaned columns; out-of-range measurements nulled and flagged. */
export function cleanedRowOf(beer: CatalogueBeer, arrivedAt: Date): CleanedBeer {
  const dqFlags: string[] = [];
  const measured = (name: keyof CatalogueBeer & keyof CleanedBeer): number | null => {
    const value = beer[name] as number | null;
    const column = cleanedBeerColumns.find((c) => c.name === name);
    const range = column && 'range' in column ? column.range : undefined;
    if (value === null || range === undefined) return value;
    const min = 'min' in range ? range.min : -Infinity;
    const max = 'max' in range ? range.max : Infinity;
    if (value < min || value > max) {
      dqFlags.push(`${name}_out_of_range`);
      return null;
    }
    return value;
  };
  const brewed = /^(?:(\d{1,2})\/)?(\d{4})$/.exec(beer.first_brewed ?? '');
  return {
    id: beer.id,
    name: beer.name,
    first_brewed: beer.first_brewed,
    first_brewed_year: brewed ? Number(brewed[2]) : null,
    first_brewed_month: brewed?.[1] ? Number(brewed[1]) : null,
    abv: measured('abv'),
    ibu: measured('ibu'),
    target_fg: measured('target_fg'),
    target_og: measured('target_og'),
    ebc: measured('ebc'),
    srm: measured('srm'),
    ph: measured('ph'),
    volume_litres: litres(beer.volume),
    boil_volume_litres: litres(beer.boil_volume),
    hops: beer.ingredients.hops.map((h) => ({
      name: h.name,
      grams: grams(h.amount),
      add: h.add,
      stage: hopStage(h.add),
      attribute: hopAttribute(h.attribute),
    })),
    dq_flags: dqFlags,
    arrived_at: lakeTimestampText(arrivedAt.getTime()),
  };
}

/**
 * The whole catalogue in the cleaned zone, delivered in files of 80, with the first
 * `redelivered` beers delivered a second time (as after a restart): at-least-once duplicates
 * for the `beers` view to remove.
 */
export async function writeCatalogueLake(lakeDir: string, opts: { redelivered?: number } = {}): Promise<CleanedBeer[]> {
  const arrived = new Date('2024-06-01T12:00:00.000Z');
  const rows = catalogue.map((beer) => cleanedRowOf(beer, arrived));
  for (let i = 0; i < rows.length; i += 80) {
    await writeLakeFile(lakeDir, cleanedBeerTable, rows.slice(i, i + 80), { time: arrived, id: `batch-${i}` });
  }
  const redelivered = rows.slice(0, opts.redelivered ?? 0);
  if (redelivered.length > 0) await writeLakeFile(lakeDir, cleanedBeerTable, redelivered, { time: arrived, id: 'redelivered' });
  return rows;
}

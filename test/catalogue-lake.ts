/**
 * Test fixture: a lake folder written the way Firehose writes it, from the real catalogue
 * cleaned by the real transform (`cleanBeer`), so a test lake holds exactly what the
 * pipeline would deliver. Nothing in production imports it.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { firehoseObjectKey } from '../glue/layout';
import { cleanedBeerTable, type CleanedBeer, type TableDefinition } from '../glue/schema';
import type { RawBeer } from '../glue/raw-beer';
import { catalogue as collected } from '../lambdas/punkapi/catalogue';
import { cleanBeer } from '../lambdas/transform/clean-beer';

/** The bundled catalogue, typed as the raw table declares it (every beer in it validates). */
export const catalogue = collected as unknown as readonly (RawBeer & { id: number; name: string })[];

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

/** One catalogue beer as the transform cleans it. */
export function cleanedRowOf(beer: unknown, arrivedAt: Date): CleanedBeer {
  const result = cleanBeer(beer, arrivedAt);
  if (!result.ok) throw new Error(`fixture: catalogue beer failed cleaning: ${result.error.message}`);
  return result.beer;
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

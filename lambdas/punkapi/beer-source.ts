/**
 * Where beers come from: a PunkAPI over HTTP (any base URL, v2 or v3) or the bundled
 * catalogue. The ingest handler sees only this interface.
 */
import { maxJsonNesting, nestedDeeperThan } from '../../glue/lake-text';

/** A beer exactly as the source returned it. Only `id` is checked here: it is the partition key. */
export type CollectedBeer = Record<string, unknown> & { readonly id: number };

export interface BeerSource {
  /** For logs: `bundled catalogue` or the base URL. */
  readonly description: string;
  /** `count` random beers (one request each, as the API serves one at a time). */
  random(count: number): Promise<CollectedBeer[]>;
  /** The whole catalogue, page by page (`perPage` ≤ 80, the PunkAPI's limit). */
  pages(perPage: number): AsyncIterable<CollectedBeer[]>;
}

/** PunkAPI's own maximum page size. */
export const maxPerPage = 80;

/** Why `value` is not a collected beer, or undefined when it is one. */
export function notABeerReason(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return `expected a beer object, got ${describe(value)}`;
  const id = (value as { id?: unknown }).id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) return `id: expected a positive whole number, got ${describe(id)}`;
  return undefined;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  // JSON.stringify recurses: past some thousands of levels it throws instead of describing.
  if (nestedDeeperThan(value)) return `an object nested deeper than ${maxJsonNesting} levels`;
  const text = JSON.stringify(value);
  return `${typeof value} ${text === undefined ? String(value) : text.slice(0, 40)}`;
}

/**
 * One ingest run: fetch beers from a source (random ones, or the whole catalogue page by
 * page) and write them to the stream.
 */
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { maxPerPage, type BeerSource } from '../punkapi/beer-source';
import type { IngestMode } from './config';
import { putBeerRecords, type PutOptions, type SkippedBeer } from './put-beer-records';

export interface IngestRequest {
  readonly source: BeerSource;
  readonly mode: IngestMode;
  readonly streamName: string;
  readonly kinesis: KinesisClient;
  readonly put?: PutOptions;
  /** Called after each write, with the running total (the CLI shows it). */
  readonly onProgress?: (put: number) => void;
}

export interface IngestSummary {
  readonly mode: 'random' | 'backfill';
  readonly source: string;
  readonly fetched: number;
  readonly put: number;
  readonly putCalls: number;
  readonly retriedEntries: number;
  /** Beers whose text held a lone UTF-16 surrogate, written with U+FFFD in its place (see beerRecord). */
  readonly repairedText: ReadonlyArray<{ readonly id: number; readonly field: string }>;
  /** Beers fetched but not written, each with its reason (see putBeerRecords): the rest of their page is written, and later pages too. */
  readonly skipped: ReadonlyArray<SkippedBeer>;
  readonly durationMs: number;
}

export async function ingest(request: IngestRequest): Promise<IngestSummary> {
  const started = Date.now();
  let fetched = 0;
  let put = 0;
  let putCalls = 0;
  let retriedEntries = 0;
  const repairedText: Array<{ id: number; field: string }> = [];
  const skipped: SkippedBeer[] = [];
  const write = async (beers: Parameters<typeof putBeerRecords>[2]) => {
    fetched += beers.length;
    const result = await putBeerRecords(request.kinesis, request.streamName, beers, request.put);
    put += result.put;
    putCalls += result.calls;
    retriedEntries += result.retriedEntries;
    repairedText.push(...result.repairedText);
    skipped.push(...result.skipped);
    request.onProgress?.(put);
  };
  if (request.mode.kind === 'random') {
    await write(await request.source.random(request.mode.count));
  } else {
    // Each page is written as it arrives: a failure late in the catalogue keeps what came before.
    for await (const page of request.source.pages(maxPerPage)) await write(page);
  }
  return {
    mode: request.mode.kind,
    source: request.source.description,
    fetched,
    put,
    putCalls,
    retriedEntries,
    repairedText,
    skipped,
    durationMs: Date.now() - started,
  };
}

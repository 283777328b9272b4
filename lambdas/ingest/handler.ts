/**
 * The ingest Lambda, on an EventBridge schedule: one random beer a tick by default (the
 * original behaviour), N random beers, or a catalogue backfill. The schedule target may
 * override the mode with a constant input, e.g. `{ "mode": "backfill" }`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { createKinesisClient } from '../kinesis-client';
import { createBundledSource } from '../punkapi/bundled-source';
import { createHttpSource } from '../punkapi/http-source';
import type { BeerSource } from '../punkapi/beer-source';
import { parseIngestMode, readIngestConfig, type SourceSetting } from './config';
import { ingest, type IngestSummary } from './ingest';

export const logger = new Logger({ serviceName: 'brewlake-ingest' });

/** A scheduled event (its other fields are ignored), optionally carrying a mode. */
export interface IngestEvent {
  readonly mode?: string;
}

export function sourceFor(setting: SourceSetting): BeerSource {
  return setting.kind === 'bundled' ? createBundledSource() : createHttpSource({ baseUrl: setting.baseUrl });
}

// Built once per container, reused across ticks.
let kinesis: ReturnType<typeof createKinesisClient> | undefined;

export async function handler(event: IngestEvent = {}): Promise<IngestSummary> {
  const config = readIngestConfig(process.env);
  const mode = typeof event.mode === 'string' ? parseIngestMode(event.mode, 'event.mode') : config.mode;
  kinesis ??= createKinesisClient({ endpoint: config.kinesisEndpoint });
  try {
    const summary = await ingest({ source: sourceFor(config.source), mode, streamName: config.streamName, kinesis });
    logger.info('ingest complete', { ...summary });
    if (summary.skipped.length > 0) logger.warn('beers skipped: the lake cannot hold them', { skipped: summary.skipped });
    return summary;
  } catch (error) {
    logger.error('ingest failed', error as Error);
    throw error;
  }
}

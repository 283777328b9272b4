/**
 * The ingest handler's configuration, from its environment (set by the stack in AWS, by
 * the demo locally). A bad value is an error naming the variable and what it accepts.
 */
import { ingestLambdaEnv } from '../../stacks/lambda-environment';

export type IngestMode = { readonly kind: 'random'; readonly count: number } | { readonly kind: 'backfill' };
export type SourceSetting = { readonly kind: 'bundled' } | { readonly kind: 'url'; readonly baseUrl: string };

export interface IngestConfig {
  readonly source: SourceSetting;
  readonly mode: IngestMode;
  readonly streamName: string;
  /** The local emulator; absent in AWS. */
  readonly kinesisEndpoint?: string;
}

export class IngestConfigError extends Error {
  override readonly name = 'IngestConfigError';
  constructor(readonly variable: string, reason: string) {
    super(`${variable}: ${reason}`);
  }
}

/** Most random beers one tick may ask for: each is one upstream request. */
export const maxRandomCount = 1_000;

/** `random` (one beer, the original behaviour), `random:N`, or `backfill`. */
export function parseIngestMode(text: string, variable: string = ingestLambdaEnv.mode): IngestMode {
  const value = text.trim();
  if (value === 'backfill') return { kind: 'backfill' };
  if (value === 'random') return { kind: 'random', count: 1 };
  const match = /^random:(\d+)$/.exec(value);
  if (match) {
    const count = Number(match[1]);
    if (count >= 1 && count <= maxRandomCount) return { kind: 'random', count };
    throw new IngestConfigError(variable, `random:N needs N from 1 to ${maxRandomCount}, got ${count}`);
  }
  throw new IngestConfigError(variable, `expected random, random:N or backfill, got ${JSON.stringify(text)}`);
}

export function parseSource(text: string): SourceSetting {
  const value = text.trim();
  if (value === 'bundled') return { kind: 'bundled' };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new IngestConfigError(ingestLambdaEnv.source, `expected "bundled" or an http(s) base URL, got ${JSON.stringify(text)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new IngestConfigError(ingestLambdaEnv.source, `expected an http(s) URL, got ${url.protocol}`);
  return { kind: 'url', baseUrl: value };
}

export function readIngestConfig(env: Record<string, string | undefined>): IngestConfig {
  const streamName = env[ingestLambdaEnv.streamName]?.trim();
  if (!streamName) throw new IngestConfigError(ingestLambdaEnv.streamName, 'is not set: the Kinesis stream to write to');
  const endpoint = env[ingestLambdaEnv.kinesisEndpoint]?.trim();
  return {
    source: parseSource(env[ingestLambdaEnv.source] ?? 'bundled'),
    mode: parseIngestMode(env[ingestLambdaEnv.mode] ?? 'random'),
    streamName,
    ...(endpoint ? { kinesisEndpoint: endpoint } : {}),
  };
}

import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStream, startKinesis, type LocalKinesis } from '../../local/kinesis';
import { startPunkApiServer, type RunningPunkApiServer } from '../../local/punkapi-server';
import { createKinesisClient } from '../kinesis-client';
import { catalogue } from '../punkapi/catalogue';
import { IngestConfigError, parseIngestMode, readIngestConfig } from './config';
import { handler } from './handler';

async function readAll(kinesis: KinesisClient, streamName: string) {
  const records: { key: string; data: string }[] = [];
  const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
  for (const shard of Shards) {
    let { ShardIterator: iterator } = await kinesis.send(
      new GetShardIteratorCommand({ StreamName: streamName, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }),
    );
    while (iterator) {
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }));
      for (const r of page.Records ?? []) records.push({ key: r.PartitionKey!, data: Buffer.from(r.Data!).toString() });
      if (!page.Records?.length) break;
      iterator = page.NextShardIterator;
    }
  }
  return records;
}

describe('the ingest handler against real kinesalite', () => {
  let local: LocalKinesis;
  let punkApi: RunningPunkApiServer;
  let kinesis: KinesisClient;
  const env = { ...process.env };
  beforeAll(async () => {
    [local, punkApi] = await Promise.all([startKinesis(), startPunkApiServer()]);
    kinesis = createKinesisClient({ endpoint: local.endpoint });
    await ensureStream(kinesis, 'backfill-bundled', 2);
    await ensureStream(kinesis, 'random-http', 1);
  });
  afterAll(async () => {
    process.env = env;
    kinesis.destroy();
    await Promise.all([local.close(), punkApi.close()]);
  });

  it('backfills the bundled catalogue: 325 records, keyed by id, each one JSON line of the beer', async () => {
    process.env = { ...env, BREWLAKE_SOURCE: 'bundled', BREWLAKE_MODE: 'backfill', BREWLAKE_STREAM_NAME: 'backfill-bundled', BREWLAKE_KINESIS_ENDPOINT: local.endpoint };
    const summary = await handler({});
    expect(summary).toMatchObject({ mode: 'backfill', fetched: 325, put: 325, retriedEntries: 0 });
    const records = await readAll(kinesis, 'backfill-bundled');
    expect(records).toHaveLength(325);
    const byId = new Map(catalogue.map((b) => [String(b.id), b]));
    for (const r of records) {
      expect(r.data.endsWith('\n')).toBe(true);
      expect(JSON.parse(r.data)).toEqual(byId.get(r.key));
    }
  });

  it('one random beer a tick over HTTP by default, N when the event asks', async () => {
    process.env = { ...env, BREWLAKE_SOURCE: punkApi.v3Url, BREWLAKE_STREAM_NAME: 'random-http', BREWLAKE_KINESIS_ENDPOINT: local.endpoint };
    delete process.env.BREWLAKE_MODE;
    expect(await handler({})).toMatchObject({ mode: 'random', put: 1 });
    expect(await handler({ mode: 'random:4' })).toMatchObject({ mode: 'random', put: 4 });
    const records = await readAll(kinesis, 'random-http');
    expect(records).toHaveLength(5);
    expect(JSON.parse(records[0]!.data)).toHaveProperty('image');
  });
});

describe('ingest configuration', () => {
  it('reads modes and sources', () => {
    expect(parseIngestMode('random')).toEqual({ kind: 'random', count: 1 });
    expect(parseIngestMode('random:25')).toEqual({ kind: 'random', count: 25 });
    expect(parseIngestMode('backfill')).toEqual({ kind: 'backfill' });
    expect(readIngestConfig({ BREWLAKE_STREAM_NAME: 's' })).toEqual({ source: { kind: 'bundled' }, mode: { kind: 'random', count: 1 }, streamName: 's' });
  });

  it.each([
    [{ BREWLAKE_STREAM_NAME: 's', BREWLAKE_MODE: 'everything' }, /BREWLAKE_MODE: expected random, random:N or backfill/],
    [{ BREWLAKE_STREAM_NAME: 's', BREWLAKE_MODE: 'random:0' }, /BREWLAKE_MODE: random:N needs N from 1/],
    [{ BREWLAKE_STREAM_NAME: 's', BREWLAKE_SOURCE: 'ftp://x' }, /BREWLAKE_SOURCE: expected an http\(s\) URL/],
    [{ BREWLAKE_STREAM_NAME: 's', BREWLAKE_SOURCE: 'punkapi' }, /BREWLAKE_SOURCE: expected "bundled" or an http\(s\) base URL/],
    [{}, /BREWLAKE_STREAM_NAME: is not set/],
  ])('names the variable and the reason for %j', (env, message) => {
    expect(() => readIngestConfig(env)).toThrow(IngestConfigError);
    expect(() => readIngestConfig(env)).toThrow(message);
  });

  it('a bad mode in the event is named as such', async () => {
    process.env.BREWLAKE_STREAM_NAME = 'x';
    await expect(handler({ mode: 'all' })).rejects.toThrow(/event\.mode: expected random/);
  });
});

/**
 * A backfill is not blocked by one beer the lake cannot hold: an upstream page holding a
 * beer nested 100,000 deep (200 KB, which JSON.parse reads) once overflowed the stack in
 * putBeerRecords, a RangeError neither retried nor skipped, so no later page was written.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { expect, it } from 'vitest';
import { maxJsonNesting } from '../../glue/lake-text';
import { createHttpSource } from '../punkapi/http-source';
import { ingest } from './ingest';

it('skips a beer nested 100,000 deep, names it, and writes the rest of its page and every later page', async () => {
  const perPage = 80;
  const beer = (id: number) => `{"id":${id},"name":"beer ${id}","abv":5}`;
  const deepId = 40;
  const deep = `{"id":${deepId},"name":"Deep","abv":5,"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  const catalogueSize = 200;
  const server = createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    const page = Number(url.searchParams.get('page'));
    const ids = Array.from({ length: perPage }, (_, i) => (page - 1) * perPage + i + 1).filter((id) => id <= catalogueSize);
    res.setHeader('content-type', 'application/json');
    res.end(`[${ids.map((id) => (id === deepId ? deep : beer(id))).join(',')}]`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const written: string[] = [];
    const kinesis = {
      async send(command: PutRecordsCommand) {
        written.push(...command.input.Records!.map((r) => r.PartitionKey!));
        return { Records: command.input.Records!.map(() => ({ SequenceNumber: '1', ShardId: 'shardId-0' })) };
      },
    } as unknown as KinesisClient;
    const source = createHttpSource({ baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    const summary = await ingest({ source, mode: { kind: 'backfill' }, streamName: 's', kinesis });
    expect(summary).toMatchObject({ fetched: catalogueSize, put: catalogueSize - 1 });
    expect(summary.skipped).toEqual([{ id: deepId, reason: `nested deeper than ${maxJsonNesting} levels of arrays and objects, which the lake does not hold` }]);
    expect(written).toEqual(Array.from({ length: catalogueSize }, (_, i) => String(i + 1)).filter((id) => id !== String(deepId)));
  } finally {
    server.close();
  }
});

import { PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFirehoseClient } from '../../lambdas/firehose-client';
import { createDirectPutWriter, startDirectPutDeliveryStream, type DirectPutDeliveryStream } from './direct-put';

const stream = { name: 'prediction-log', prefix: 'prediction_log/' };
let running: DirectPutDeliveryStream | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function start(buffering?: { sizeBytes?: number; intervalMs?: number }) {
  const lakeDir = await mkdtemp(join(tmpdir(), 'direct-put-'));
  running = await startDirectPutDeliveryStream({ lakeDir, deliveryStream: stream, buffering: { intervalMs: 60_000, ...buffering } });
  return { lakeDir, delivery: running, firehose: createFirehoseClient({ endpoint: running.endpoint }) };
}

async function lakeFiles(lakeDir: string): Promise<string[]> {
  const entries = await readdir(join(lakeDir, stream.prefix), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(lakeDir.length + 1)).sort();
}

describe('the local Direct PUT delivery stream', () => {
  it('takes PutRecordBatch and PutRecord from the AWS SDK and writes the records, in order, as Firehose names its files', async () => {
    const { lakeDir, delivery, firehose } = await start();
    const lines = Array.from({ length: 7 }, (_, i) => `{"n":${i},"name":"Mittelfrüh"}\n`);
    const answer = await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: stream.name, Records: lines.slice(0, 6).map((l) => ({ Data: Buffer.from(l) })) }));
    expect(answer.FailedPutCount).toBe(0);
    expect(answer.RequestResponses).toHaveLength(6);
    await firehose.send(new PutRecordCommand({ DeliveryStreamName: stream.name, Record: { Data: Buffer.from(lines[6]!) } }));
    expect(await readdir(lakeDir)).not.toContain('prediction_log');

    const stats = await delivery.drain();
    expect(stats).toMatchObject({ recordsReceived: 7, recordsDelivered: 7 });
    const files = await lakeFiles(lakeDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^prediction_log\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/prediction-log-1-\d{4}(-\d{2}){5}-[0-9a-f-]{36}$/);
    expect(await readFile(join(lakeDir, files[0]!), 'utf8')).toBe(lines.join(''));
    firehose.destroy();
  });

  it('writes a file as soon as the buffer reaches its size, and what is left on stop', async () => {
    const { lakeDir, delivery, firehose } = await start({ sizeBytes: 100 });
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: stream.name, Records: [{ Data: Buffer.alloc(120, 'a') }] }));
    await firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: stream.name, Records: [{ Data: Buffer.alloc(10, 'b') }] }));
    const { dataFiles } = await delivery.stop();
    running = undefined;
    expect(await lakeFiles(lakeDir)).toEqual([...dataFiles].sort());
    // In the order written (two files in one second sort by their random ids).
    expect(await Promise.all(dataFiles.map((f) => readFile(join(lakeDir, f), 'utf8')))).toEqual(['a'.repeat(120), 'b'.repeat(10)]);
    firehose.destroy();
  });

  it('refuses, as Firehose does, a stream it is not and a batch over 500 records, keeping nothing of either', async () => {
    const { delivery, firehose } = await start();
    await expect(firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: 'raw', Records: [{ Data: Buffer.from('x') }] }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    const tooMany = Array.from({ length: 501 }, () => ({ Data: Buffer.from('x') }));
    await expect(firehose.send(new PutRecordBatchCommand({ DeliveryStreamName: stream.name, Records: tooMany }))).rejects.toMatchObject({ name: 'InvalidArgumentException' });
    expect((await delivery.drain()).recordsReceived).toBe(0);
    firehose.destroy();
  });

  it('reports a file it could not write, and writes the next one when the lake can take it again', async () => {
    const lakeDir = await mkdtemp(join(tmpdir(), 'direct-put-'));
    const writer = await createDirectPutWriter({ lakeDir, deliveryStream: stream, buffering: { intervalMs: 60_000 } });
    // A file where the zone's folder should be: no object can be written under it.
    await writeFile(join(lakeDir, 'prediction_log'), 'in the way');
    writer.put([Buffer.from('lost\n')]);
    await expect(writer.drain()).rejects.toThrow();
    await rm(join(lakeDir, 'prediction_log'));
    writer.put([Buffer.from('kept\n')]);
    const stats = await writer.stop();
    expect(stats).toMatchObject({ recordsReceived: 2, recordsDelivered: 1 });
    expect(await readFile(join(lakeDir, stats.dataFiles[0]!), 'utf8')).toBe('kept\n');
  });
});

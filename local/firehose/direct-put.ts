/**
 * A local Firehose delivery stream with Direct PUT as its source. `createDirectPutWriter`
 * is the stream itself: records put in are buffered by size and interval and written into
 * the lake folder with Firehose's key layout, each file durable (fsync, rename, fsync
 * folder) before it counts as delivered. `startDirectPutDeliveryStream` puts an HTTP
 * endpoint in front that speaks the part of the Firehose API a producer uses
 * (`PutRecordBatch`, `PutRecord`), so the AWS SDK's `FirehoseClient` writes to it as it
 * writes to AWS.
 *
 * One difference from AWS, by design: Firehose keeps an acknowledged record durably; this
 * stand-in holds it in memory until the next flush (at most the buffering interval) and
 * flushes on stop. Nothing here is the source of truth for anything but the local lake.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { defaultBufferingHints, type BufferingHints, type DeliveryStreamConfig } from './delivery-stream';
import { removeLeftoverTempFiles, writeFirehoseObject } from './durable-file';
import { tempFolder } from './state-folder';

export interface DirectPutWriterOptions {
  readonly lakeDir: string;
  readonly deliveryStream: DeliveryStreamConfig;
  readonly buffering?: Partial<BufferingHints>;
}

export interface DirectPutOptions extends DirectPutWriterOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
}

export interface DirectPutStats {
  readonly recordsReceived: number;
  readonly recordsDelivered: number;
  readonly bytesDelivered: number;
  readonly dataFiles: readonly string[];
}

export interface DirectPutWriter {
  readonly name: string;
  /** Takes records as Firehose takes a PutRecordBatch: buffered, written at the next flush. */
  put(records: readonly Uint8Array[]): void;
  stats(): DirectPutStats;
  /** Writes what is buffered now. */
  drain(): Promise<DirectPutStats>;
  /** Writes what is buffered, and stops the interval flushes. */
  stop(): Promise<DirectPutStats>;
}

export interface DirectPutDeliveryStream extends DirectPutWriter {
  /** Where a `FirehoseClient` sends: `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** Stops taking requests, then writes what is buffered. */
  stop(): Promise<DirectPutStats>;
}

/** Firehose's limits on one call: a request outside them is refused whole, as AWS does. */
const maxRecordsPerBatch = 500;
const maxRecordBytes = 1_000 * 1024;
const maxRequestBytes = 4 * 1024 * 1024;

type FirehoseError = { readonly status: number; readonly type: string; readonly message: string };

export async function createDirectPutWriter(options: DirectPutWriterOptions): Promise<DirectPutWriter> {
  const { lakeDir, deliveryStream } = options;
  const hints: BufferingHints = { ...defaultBufferingHints, ...options.buffering };
  await removeLeftoverTempFiles(tempFolder(lakeDir, deliveryStream.name));

  const stats = { recordsReceived: 0, recordsDelivered: 0, bytesDelivered: 0, dataFiles: [] as string[] };
  const snapshot = (): DirectPutStats => ({ ...stats, dataFiles: [...stats.dataFiles] });
  let buffer: Uint8Array[] = [];
  let bufferedBytes = 0;
  // Flushes run one after another, so files are written in the order records arrived.
  let writing: Promise<void> = Promise.resolve();

  // Rejects when this flush's file could not be written (its records are lost); the next
  // flush starts afresh after it either way.
  const flush = (): Promise<void> => {
    if (buffer.length === 0) return writing;
    const records = buffer;
    buffer = [];
    bufferedBytes = 0;
    writing = writing
      .catch(() => undefined)
      .then(async () => {
        const data = Buffer.concat(records);
        const key = await writeFirehoseObject({ lakeDir, deliveryStream: deliveryStream.name, prefix: deliveryStream.prefix, time: new Date(), data, format: deliveryStream.format });
        stats.recordsDelivered += records.length;
        stats.bytesDelivered += data.length;
        stats.dataFiles.push(key);
      });
    return writing;
  };
  const timer = setInterval(() => void flush().catch(() => undefined), hints.intervalMs);

  return {
    name: deliveryStream.name,
    put(records) {
      for (const bytes of records) {
        buffer.push(bytes);
        bufferedBytes += bytes.length;
      }
      stats.recordsReceived += records.length;
      if (bufferedBytes >= hints.sizeBytes) void flush().catch(() => undefined);
    },
    stats: snapshot,
    drain: async () => {
      await flush();
      return snapshot();
    },
    async stop() {
      clearInterval(timer);
      await flush();
      return snapshot();
    },
  };
}

export async function startDirectPutDeliveryStream(options: DirectPutOptions): Promise<DirectPutDeliveryStream> {
  const { deliveryStream } = options;
  const writer = await createDirectPutWriter(options);

  function accept(body: unknown, target: string): { answer: object } | { error: FirehoseError } {
    const request = body as { DeliveryStreamName?: unknown; Records?: unknown; Record?: unknown };
    if (request.DeliveryStreamName !== deliveryStream.name) {
      return { error: { status: 400, type: 'ResourceNotFoundException', message: `Delivery stream ${String(request.DeliveryStreamName)} not found (this endpoint is ${deliveryStream.name})` } };
    }
    const single = target.endsWith('.PutRecord');
    const records = single ? [request.Record] : request.Records;
    if (!Array.isArray(records) || records.length === 0 || records.length > maxRecordsPerBatch) {
      return { error: { status: 400, type: 'InvalidArgumentException', message: `Records: between 1 and ${maxRecordsPerBatch} records per call` } };
    }
    const data: Buffer[] = [];
    for (const [i, record] of records.entries()) {
      const encoded = (record as { Data?: unknown } | undefined)?.Data;
      if (typeof encoded !== 'string') return { error: { status: 400, type: 'InvalidArgumentException', message: `Records[${i}].Data: expected base64 text` } };
      const bytes = Buffer.from(encoded, 'base64');
      if (bytes.length > maxRecordBytes) return { error: { status: 400, type: 'InvalidArgumentException', message: `Records[${i}].Data: larger than ${maxRecordBytes} bytes` } };
      data.push(bytes);
    }
    writer.put(data);
    const ids = data.map(() => ({ RecordId: randomUUID() }));
    return { answer: single ? { RecordId: ids[0]!.RecordId, Encrypted: false } : { FailedPutCount: 0, Encrypted: false, RequestResponses: ids } };
  }

  const reply = (res: ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxRequestBytes * 2) chunks.push(chunk);
    });
    req.on('end', () => {
      const target = req.headers['x-amz-target'];
      if (typeof target !== 'string' || !/^Firehose_20150804\.(PutRecordBatch|PutRecord)$/.test(target)) {
        return reply(res, 400, { __type: 'UnknownOperationException', message: `this local Firehose takes PutRecordBatch and PutRecord, not ${String(target)}` });
      }
      // Base64 makes the JSON a third larger than the records it carries.
      if (size > maxRequestBytes * 2) return reply(res, 413, { __type: 'InvalidArgumentException', message: `the request is larger than ${maxRequestBytes} bytes of records` });
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        return reply(res, 400, { __type: 'SerializationException', message: error instanceof Error ? error.message : String(error) });
      }
      const outcome = accept(body, target);
      if ('error' in outcome) return reply(res, outcome.error.status, { __type: outcome.error.type, message: outcome.error.message });
      reply(res, 200, outcome.answer);
    });
  });
  const port = await new Promise<number>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)));

  return {
    ...writer,
    endpoint: `http://127.0.0.1:${port}`,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return writer.stop();
    },
  };
}

/**
 * The delivery loop killed with SIGKILL mid-delivery and restarted on the same lake
 * folder: no record lost, delivery resumes from the checkpoint (no full replay), and the
 * duplicates the crash caused are exactly the records of the file whose checkpoint was
 * never saved; the `beers` view removes them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { openDuckDbLake } from '../../glue/duckdb';
import { catalogue } from '../../test/catalogue-lake';
import { listLakeFiles, readLakeLines } from '../lake-files';
import type { DeliveryStats } from './delivery-stream';
import { checkpointPath } from './state-folder';
import { startStreamFixture, type StreamFixture } from './stream-fixture';

let fixture: StreamFixture;
let lakeDir: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  fixture = await startStreamFixture(2);
  lakeDir = await mkdtemp(join(tmpdir(), 'brewlake-crash-'));
});
afterEach(async () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  await fixture.close();
  await rm(lakeDir, { recursive: true, force: true });
});

interface ChildEvent {
  event: string;
  [key: string]: unknown;
}

/** Starts the delivery process; `until` decides from each event whether to SIGKILL it. */
function runDeliveryProcess(env: Record<string, string>, killWhen?: (e: ChildEvent) => boolean): Promise<{ events: ChildEvent[]; signal: string | null; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'delivery-process.fixture.ts')], {
    env: {
      ...process.env,
      KINESIS_ENDPOINT: fixture.kinesis.endpoint,
      STREAM_NAME: fixture.stream.streamName,
      LAKE_DIR: lakeDir,
      BUFFER_BYTES: String(16 * 1024),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const events: ChildEvent[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as ChildEvent;
    events.push(event);
    if (killWhen?.(event)) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0 && signal !== 'SIGKILL') reject(new Error(`delivery process exited ${code}: ${stderr}`));
      else resolve({ events, signal, code });
    });
  });
}

const idOf = (line: string) => (JSON.parse(line) as { id: number }).id;

it('loses nothing when killed between a durable file and its checkpoint, and resumes from the checkpoint', async () => {
  // The catalogue three times over: 975 records, about 4 MB.
  const lines = [...catalogue, ...catalogue, ...catalogue].map((beer) => `${JSON.stringify(beer)}\n`);
  await fixture.put(lines, (line) => String(idOf(line)));

  const killed = await runDeliveryProcess({ PAUSE_AT_DELIVERY: '5' }, (e) => e.event === 'paused');
  expect(killed.signal).toBe('SIGKILL');
  const deliveredBeforeKill = killed.events.filter((e) => e.event === 'delivered' && e.stream === 'raw');
  expect(deliveredBeforeKill).toHaveLength(4);
  const checkpointed = deliveredBeforeKill.reduce((n, e) => n + (e.records as number), 0);
  const checkpoint = JSON.parse(await readFile(checkpointPath(lakeDir, 'raw'), 'utf8')) as { shards: Record<string, string> };
  // Five files are durable, four checkpointed: the fifth file's records will come again.
  const rawFilesAtKill = await listLakeFiles(lakeDir, 'raw/');
  expect(rawFilesAtKill).toHaveLength(5);
  const linesAtKill = (await readLakeLines(lakeDir, rawFilesAtKill)).length;
  expect(linesAtKill).toBeLessThan(lines.length);

  const restarted = await runDeliveryProcess({});
  expect(restarted.code).toBe(0);
  const started = restarted.events.find((e) => e.event === 'started')!;
  expect(started.raw).toEqual(checkpoint.shards);
  const drained = restarted.events.find((e) => e.event === 'drained') as unknown as { raw: DeliveryStats; cleaned: DeliveryStats };
  // No full replay: the restart reads only what the checkpoint does not cover.
  expect(drained.raw.recordsRead).toBe(lines.length - checkpointed);

  const rawLines = await readLakeLines(lakeDir, await listLakeFiles(lakeDir, 'raw/'));
  const duplicates = rawLines.length - lines.length;
  expect(duplicates).toBe(linesAtKill - checkpointed);
  expect(duplicates).toBeGreaterThan(0);
  const counts = new Map<string, number>();
  for (const line of rawLines) counts.set(line, (counts.get(line) ?? 0) + 1);
  for (const line of new Set(lines)) expect(counts.get(line.trimEnd())).toBeGreaterThanOrEqual(3);

  const cleanedIds = new Set((await readLakeLines(lakeDir, await listLakeFiles(lakeDir, 'cleaned/'))).map(idOf));
  expect(cleanedIds.size).toBe(catalogue.length);
  const lake = await openDuckDbLake(lakeDir);
  try {
    const { rows } = await lake.query('select count(*) as n, count(distinct id) as ids from beers');
    expect(rows[0]).toEqual({ n: catalogue.length, ids: catalogue.length });
  } finally {
    await lake.close();
  }
});

it('loses nothing when killed at whatever point it has reached, and does not replay what was checkpointed', async () => {
  const lines = [...catalogue, ...catalogue].map((beer) => `${JSON.stringify(beer)}\n`);
  await fixture.put(lines, (line) => String(idOf(line)));
  let seen = 0;
  // SIGKILL as soon as the third raw file is reported: the loops are mid-read, mid-transform or mid-write.
  const killed = await runDeliveryProcess({}, (e) => e.event === 'delivered' && ++seen === 3);
  expect(killed.signal).toBe('SIGKILL');

  const restarted = await runDeliveryProcess({});
  const drained = restarted.events.find((e) => e.event === 'drained') as unknown as { raw: DeliveryStats; cleaned: DeliveryStats };
  expect(drained.raw.recordsRead).toBeLessThan(lines.length);
  const rawLines = await readLakeLines(lakeDir, await listLakeFiles(lakeDir, 'raw/'));
  expect(rawLines.length).toBeGreaterThanOrEqual(lines.length);
  const rawSet = new Set(rawLines);
  for (const line of lines) expect(rawSet.has(line.trimEnd())).toBe(true);
  const cleanedIds = new Set((await readLakeLines(lakeDir, await listLakeFiles(lakeDir, 'cleaned/'))).map(idOf));
  expect(cleanedIds.size).toBe(catalogue.length);
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
// @ts-expect-error: the launcher is plain JavaScript, without types.
import { startDuckDbWarm } from '../bin/duckdb-warm-start.mjs';
import { openDuckDbLake } from '../glue/duckdb';

const slot = Symbol.for('brewlake.duckdb.warm-database');
const slots = globalThis as unknown as Record<symbol, unknown>;
type Start = (command: string, args: readonly string[]) => () => Promise<void>;
const start = startDuckDbWarm as Start;

let lake: string | undefined;
afterEach(async () => {
  delete slots[slot];
  if (lake) await rm(lake, { recursive: true, force: true });
});

it.each([
  ['query', ['select 1'], true],
  ['query', ['--engine', 'duckdb', 'select 1'], true],
  ['drift', ['--window', '24h'], true],
  ['query', ['--list'], false],
  ['query', ['--engine', 'athena', 'select 1'], false],
  ['query', ['--engine=athena', 'select 1'], false],
  ['tables', [], false],
  ['train', [], false],
  ['brewlake', ['--help'], false],
])('opens a database early for %s %j: %s', async (command, args, opens) => {
  const close = start(command, args);
  expect(slots[slot] !== undefined).toBe(opens);
  await close();
  expect(slots[slot]).toBeUndefined();
});

it('hands the early database to the first lake engine only, which answers on it', async () => {
  lake = await mkdtemp(join(tmpdir(), 'brewlake-warm-'));
  const close = start('query', ['select 1']);
  const opening = slots[slot];
  expect(opening).toBeInstanceOf(Promise);
  const engine = await openDuckDbLake(lake);
  expect(slots[slot]).toBeUndefined();
  expect((await engine.query('select count(*) as n from beers')).rows).toEqual([{ n: 0 }]);
  // Taken: closing what was never taken leaves the engine's database alone.
  await close();
  expect((await engine.query('select 42 as answer')).rows).toEqual([{ answer: 42 }]);
  await engine.close();
  // The next engine opens its own.
  const second = await openDuckDbLake(lake);
  expect((await second.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  await second.close();
});

it('opens its own database when the early one failed', async () => {
  lake = await mkdtemp(join(tmpdir(), 'brewlake-warm-'));
  const failed = Promise.reject(new Error('could not open'));
  failed.catch(() => {});
  slots[slot] = failed;
  const engine = await openDuckDbLake(lake);
  expect((await engine.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  await engine.close();
});

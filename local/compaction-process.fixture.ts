/**
 * Test fixture: compaction in a process of its own, so a test can SIGKILL it at a chosen
 * step (KILL_AT_STEP=N: the Nth step of any hour, counted from 1) and rerun it on the same
 * lake folder. Environment: LAKE_DIR, TABLES (comma-separated table names), NOW (ISO time).
 * Prints one JSON line per step on stdout; exits 0 when done.
 */
import { lakeTables } from '../glue/schema';
import { compactLake } from './compaction';

const killAt = Number(process.env.KILL_AT_STEP ?? 0);
const names = (process.env.TABLES ?? '').split(',');
let steps = 0;
await compactLake({
  lakeDir: process.env.LAKE_DIR!,
  tables: lakeTables.filter((t) => names.includes(t.name)),
  now: new Date(process.env.NOW!),
  onStep: (step, table, folder) => {
    process.stdout.write(`${JSON.stringify({ step, table, folder })}\n`);
    if (++steps === killAt) process.kill(process.pid, 'SIGKILL');
  },
});

/**
 * Test fixture: DuckDB's own CLI (`.venv/bin/duckdb`, installed by `make tools` at the
 * engine's version), run as an analyst runs it: one statement and exit, or an interactive
 * session holding a database file open (and its lock) until closed.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const duckdbCli = join(import.meta.dirname, '..', '.venv', 'bin', 'duckdb');

const requireCli = () => {
  if (!existsSync(duckdbCli)) throw new Error(`${duckdbCli} is missing: run \`make tools\``);
};

/** Runs `sql` on `file` from `cwd` and returns the rows (`-json`). */
export async function duckdbJson(file: string, sql: string, cwd: string, flags: readonly string[] = []): Promise<Record<string, unknown>[]> {
  requireCli();
  const { stdout } = await promisify(execFile)(duckdbCli, [...flags, '-json', file, sql], { cwd });
  return JSON.parse(stdout || '[]') as Record<string, unknown>[];
}

export interface DuckDbSession {
  /** Runs one statement in the open session; resolves with its output lines (`-csv -noheader`). */
  query(sql: string): Promise<string[]>;
  close(): Promise<void>;
}

/** `duckdb FILE` left open, as `duckdb lake/brewlake.duckdb` in another terminal: resolves once the file is open. */
export async function openDuckDbSession(file: string, cwd: string, flags: readonly string[] = []): Promise<DuckDbSession> {
  requireCli();
  const child = spawn(duckdbCli, [...flags, '-csv', '-noheader', file], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let marker = 0;
  const query = async (sql: string): Promise<string[]> => {
    // A marker row after the statement says where its output ends.
    const end = `--end-${marker++}--`;
    const from = stdout.length;
    child.stdin.write(`${sql};\nselect '${end}';\n`);
    for (const started = Date.now(); !stdout.includes(end, from); ) {
      if (child.exitCode !== null || Date.now() - started > 20_000) throw new Error(`duckdb ${file}: no answer to ${sql}: ${stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return stdout.slice(from, stdout.indexOf(end, from)).split('\n').filter((l) => l !== '');
  };
  await query('select 1');
  return {
    query,
    async close() {
      child.stdin.end();
      await exited;
    },
  };
}

/** Test fixture: runs the real `brewlake` binary and returns its exit code and output, never throwing on a non-zero exit. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface BrewlakeRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const repoRoot = join(import.meta.dirname, '..');

export function runBrewlake(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<BrewlakeRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'bin', 'brewlake.mjs'), ...args],
      { cwd: opts.cwd ?? repoRoot, env: { ...process.env, BREWLAKE_ATHENA_WORKGROUP: '', BREWLAKE_GLUE_DATABASE: '', ...opts.env }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

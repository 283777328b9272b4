/** Test fixture: runs the real `brewlake` binary and returns its exit code and output, never throwing on a non-zero exit. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';

export interface BrewlakeRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export const repoRoot = join(import.meta.dirname, '..');

/** `timeoutMs`: kill the run after that long (its code is then 1), so a command that should have refused but serves on is no process left behind. */
export function runBrewlake(args: readonly string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<BrewlakeRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(repoRoot, 'bin', 'brewlake.mjs'), ...args],
      { cwd: opts.cwd ?? repoRoot, env: { ...process.env, BREWLAKE_ATHENA_WORKGROUP: '', BREWLAKE_GLUE_DATABASE: '', ...opts.env }, maxBuffer: 16 * 1024 * 1024, ...(opts.timeoutMs !== undefined && { timeout: opts.timeoutMs, killSignal: 'SIGKILL' as const }) },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

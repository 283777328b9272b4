/** vitest global setup: the CLI build (dist/cli/) the CLI tests run, brought up to date once. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export default function setup(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, '..', 'bin', 'build-cli.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
}

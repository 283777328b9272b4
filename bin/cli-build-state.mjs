// Whether dist/cli holds a current build: what bin/brewlake.mjs asks on every run. Kept apart
// from the build (bin/build-cli.mjs loads child_process and, when building, esbuild), so a run
// that finds the build current pays only for one JSON file and a stat per source.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const distCliDir = join(repoRoot, 'dist', 'cli');
/** Written last by the build: `{ builtAt, inputs }`, every file the build read (paths from the root). */
export const inputsFile = join(distCliDir, 'inputs.json');
/** V8's compiled code of the bundle, one file per command (bin/code-cache.mjs); emptied by each build. */
export const codeCacheDir = join(distCliDir, 'code-cache');

/** True when dist/cli holds a build no input is newer than. */
export function cliBuildIsCurrent() {
  let builtAt;
  let inputs;
  try {
    ({ builtAt, inputs } = JSON.parse(readFileSync(inputsFile, 'utf8')));
  } catch {
    return false;
  }
  for (const input of inputs) {
    const stat = statSync(join(repoRoot, input), { throwIfNoEntry: false });
    if (!stat || stat.mtimeMs > builtAt) return false;
  }
  return true;
}

#!/usr/bin/env node
// `npx brewlake`: runs the CLI built into dist/cli/ (bin/build-cli.mjs), rebuilding it first
// when a source is newer than the build, so a run never starts from stale code and never
// pays for transpiling TypeScript (which took 2.5 s per start).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliBuildIsCurrent, codeCacheDir, distCliDir } from './cli-build-state.mjs';
import { requireWithCodeCache } from './code-cache.mjs';
import { startDuckDbWarm } from './duckdb-warm-start.mjs';

// The AWS SDK warns on every run under Node 20 that future releases will need Node 22 (the
// Lambdas already run 22). Said once in the README; here it would bury the command's output.
// The SDK's own switch, so worker threads and child processes inherit it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

if (!cliBuildIsCurrent()) {
  try {
    const { buildCli } = await import('./build-cli.mjs');
    await buildCli();
  } catch (error) {
    // No build possible (esbuild missing or failing): run from source, slower, and say so once.
    process.stderr.write(`brewlake: could not build dist/cli (${error instanceof Error ? error.message.split('\n')[0] : error}); running from source\n`);
    const { register } = await import('tsx/esm/api');
    register();
    await (await import('../cli/main.ts')).done;
    process.exit();
  }
}

/** The command being run, as cli/main reads it, when the build's command index knows it: each keeps its own compiled code. */
function commandName() {
  const [first, second] = process.argv.slice(2);
  const named = first === 'help' ? second : first;
  try {
    const index = JSON.parse(readFileSync(join(distCliDir, 'commands.json'), 'utf8'));
    if (index.some((command) => command.name === named)) return named;
  } catch {
    // No index: one cache for every run.
  }
  return 'brewlake';
}

const command = commandName();
const closeUnusedDatabase = startDuckDbWarm(command, process.argv.slice(3));
const { done } = requireWithCodeCache(join(distCliDir, 'brewlake.cjs'), codeCacheDir, command);
await done;
await closeUnusedDatabase();

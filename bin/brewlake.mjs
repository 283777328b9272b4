#!/usr/bin/env node
// `npx brewlake`: runs the CLI built into dist/cli/ (bin/build-cli.mjs), rebuilding it first
// when a source is newer than the build, so a run never starts from stale code and never
// pays for transpiling TypeScript (which took 2.5 s per start).
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';
import { buildCli, cliBuildIsCurrent, distCliDir } from './build-cli.mjs';

// The AWS SDK warns on every run under Node 20 that future releases will need Node 22 (the
// Lambdas already run 22). Said once in the README; here it would bury the command's output.
// The SDK's own switch, so worker threads and child processes inherit it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

if (!cliBuildIsCurrent()) {
  try {
    await buildCli();
  } catch (error) {
    // No build possible (esbuild missing or failing): run from source, slower, and say so once.
    process.stderr.write(`brewlake: could not build dist/cli (${error instanceof Error ? error.message.split('\n')[0] : error}); running from source\n`);
    const { register } = await import('tsx/esm/api');
    register();
    await import('../cli/main.ts');
    process.exit();
  }
}
await import(pathToFileURL(join(distCliDir, 'brewlake.mjs')).href);

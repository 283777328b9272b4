#!/usr/bin/env node
// Builds the `brewlake` command once with esbuild into dist/cli/, so a run starts from
// JavaScript instead of transpiling the TypeScript sources each time (2.5 s → tens of ms).
// npm runs it at install (`prepare`), the Makefile when a source changes, and
// bin/brewlake.mjs whenever a source is newer than the build.
//
// dist/cli/inputs.json, written last, lists every source file the build read: the build is
// current while none of them is newer than it. Each output is written beside its target and
// renamed into place, so a process starting meanwhile loads a whole file.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const distCliDir = join(repoRoot, 'dist', 'cli');
export const inputsFile = join(distCliDir, 'inputs.json');

/** Entries: the command, and the prediction log's worker thread, which threaded-prediction-log loads beside the bundle. */
const entryPoints = {
  brewlake: 'cli/main.ts',
  'prediction-log-thread': 'lambdas/serve/prediction-log-thread.ts',
  'describe-commands': 'cli/describe-commands.ts',
};
/** Files read at run time beside the bundle (glue/saved-queries reads `./queries/` next to itself). */
const besideFolders = { queries: 'glue/queries' };

/**
 * Packages bundled in all the same: DuckDB's JavaScript API is ~100 CommonJS files, which Node
 * would find and parse one by one on every query (its native binding stays external).
 */
const bundledPackages = ['@duckdb/node-api'];

const packagesExceptJson = {
  name: 'packages-except-json',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => (args.path.endsWith('.json') || bundledPackages.some((p) => args.path === p || args.path.startsWith(`${p}/`)) ? undefined : { path: args.path, external: true }));
  },
};

export async function buildCli() {
  // Loaded here: a run that finds the build current never pays for esbuild.
  const { build } = await import('esbuild');
  // The build is as new as the moment it starts reading: a source saved during it is newer.
  const builtAt = Date.now();
  const staging = join(repoRoot, 'dist', `.cli-${process.pid}-${Date.now()}`);
  try {
    const result = await build({
      absWorkingDir: repoRoot,
      entryPoints,
      outdir: staging,
      outExtension: { '.js': '.mjs' },
      bundle: true,
      // Packages load from node_modules as they are: only brewlake's own sources are bundled,
      // JSON data a source imports from a package (the catalogue), which Node 20 would only
      // import with an import attribute, and the bundledPackages.
      plugins: [packagesExceptJson],
      platform: 'node',
      target: 'node20',
      format: 'esm',
      banner: { js: "import { createRequire as __brewlakeRequire } from 'node:module'; const require = __brewlakeRequire(import.meta.url);" },
      // Each command (and each engine) is its own chunk, loaded only when run.
      splitting: true,
      // Beside the entries: a module that reads a file next to itself (saved queries) finds it in any chunk.
      chunkNames: '[name]-[hash]',
      metafile: true,
      logLevel: 'error',
    });
    const inputs = Object.keys(result.metafile.inputs);
    mkdirSync(join(staging, 'queries'), { recursive: true });
    for (const [folder, source] of Object.entries(besideFolders)) {
      for (const name of readdirSync(join(repoRoot, source))) {
        copyFileSync(join(repoRoot, source, name), join(staging, folder, name));
        inputs.push(join(source, name));
      }
      inputs.push(source);
    }
    // The command index `brewlake --help` lists without loading the commands (cli/command-index).
    const described = spawnSync(process.execPath, [join(staging, 'describe-commands.mjs')], { encoding: 'utf8', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
    if (described.status !== 0) throw new Error(`describing the commands failed: ${described.stderr}`);
    writeFileSync(join(staging, 'commands.json'), described.stdout);
    mkdirSync(distCliDir, { recursive: true });
    for (const folder of Object.keys(besideFolders)) {
      mkdirSync(join(distCliDir, folder), { recursive: true });
      for (const name of readdirSync(join(staging, folder))) renameSync(join(staging, folder, name), join(distCliDir, folder, name));
    }
    const built = new Set(readdirSync(staging));
    for (const name of built) {
      if (statSync(join(staging, name)).isFile()) renameSync(join(staging, name), join(distCliDir, name));
    }
    // Chunks of earlier builds, once no process started from them can still be loading them.
    for (const name of readdirSync(distCliDir)) {
      const path = join(distCliDir, name);
      if (name.endsWith('.mjs') && !built.has(name) && statSync(path).mtimeMs < builtAt - 10 * 60_000) rmSync(path, { force: true });
    }
    writeFileSync(join(staging, 'inputs.json'), JSON.stringify({ builtAt, inputs: [...inputs, 'package-lock.json'] }));
    renameSync(join(staging, 'inputs.json'), inputsFile);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** True when dist/cli holds a build no source is newer than. */
export function cliBuildIsCurrent() {
  let builtAt;
  let inputs;
  try {
    ({ builtAt, inputs } = JSON.parse(readFileSync(inputsFile, 'utf8')));
  } catch {
    return false;
  }
  for (const input of inputs) {
    try {
      if (statSync(join(repoRoot, input)).mtimeMs > builtAt) return false;
    } catch {
      return false;
    }
  }
  return true;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli();
  process.stderr.write(`built ${relative(process.cwd(), join(distCliDir, 'brewlake.mjs'))}\n`);
}

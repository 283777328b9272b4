#!/usr/bin/env node
// Builds the `brewlake` command once with esbuild into dist/cli/, so a run starts from
// JavaScript instead of transpiling the TypeScript sources each time (2.5 s → tens of ms).
// npm runs it at install (`prepare`), the Makefile when a source changes, and
// bin/brewlake.mjs whenever a source is newer than the build.
//
// One CommonJS file per entry, not ES modules: Node 20 can keep V8's compiled code of a
// CommonJS script between runs (bin/code-cache.mjs) but not of an ES module, and it loads one
// script without the ES loader's per-module resolution. Together ~40 ms of a ~200 ms query.
//
// dist/cli/inputs.json, written last, lists every source file the build read: the build is
// current while none of them is newer than it. Each output is written beside its target and
// renamed into place, so a process starting meanwhile loads a whole file.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { codeCacheDir, distCliDir, inputsFile, repoRoot } from './cli-build-state.mjs';

export { cliBuildIsCurrent, distCliDir, repoRoot } from './cli-build-state.mjs';

/**
 * npm rewrites this file whenever it changes node_modules: one input stands for every package
 * file the build read (DuckDB's API is ~180 of them), so the check on each run stats a few
 * dozen files instead of hundreds.
 */
const installedPackages = 'node_modules/.package-lock.json';

/** The command: one CommonJS script (the header says why). */
const commandEntry = { brewlake: 'cli/main.ts' };
/**
 * ES modules beside it: the worker threads (the prediction log's, training's) that their
 * starters load beside the bundle (model/thread-module), and the build's own command lister.
 * They start once per process or per build, so a code cache would gain them nothing.
 */
const moduleEntries = {
  'prediction-log-thread': 'local/prediction-log/prediction-log-thread.ts',
  'train-thread': 'model/train-thread.ts',
  'describe-commands': 'cli/describe-commands.ts',
};
/** Files read at run time beside the bundle (glue/saved-queries reads `./queries/` next to itself). */
const besideFolders = { queries: 'glue/queries' };

/**
 * Packages bundled in all the same, so that their compiled code is in the code cache with ours:
 * DuckDB's JavaScript API (~180 CommonJS files Node would find and parse one by one on every
 * query; its native binding stays external, one copy shared with bin/duckdb-warm-start.mjs)
 * and commander, which every command loads.
 */
const bundledPackages = ['@duckdb/node-api', 'commander'];

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
    const shared = {
      absWorkingDir: repoRoot,
      outdir: staging,
      bundle: true,
      // Packages load from node_modules as they are: only brewlake's own sources are bundled,
      // JSON data a source imports from a package (the catalogue), which Node 20 would only
      // import with an import attribute, and the bundledPackages.
      plugins: [packagesExceptJson],
      platform: 'node',
      target: 'node20',
      metafile: true,
      logLevel: 'error',
    };
    const command = await build({
      ...shared,
      entryPoints: commandEntry,
      outExtension: { '.js': '.cjs' },
      format: 'cjs',
      // The sources are ES modules: `import.meta` is the bundle's own file (saved queries and
      // thread modules are found beside it). A module only imported by a command that does not
      // run is never evaluated (esbuild wraps each lazily imported one).
      define: { 'import.meta.url': '__brewlakeModuleUrl', 'import.meta.resolve': '__brewlakeResolve' },
      banner: {
        js: "const __brewlakeModuleUrl = require('node:url').pathToFileURL(__filename).href; const __brewlakeResolve = (specifier) => require('node:url').pathToFileURL(require.resolve(specifier)).href;",
      },
    });
    const modules = await build({
      ...shared,
      entryPoints: moduleEntries,
      outExtension: { '.js': '.mjs' },
      format: 'esm',
      banner: { js: "import { createRequire as __brewlakeRequire } from 'node:module'; const require = __brewlakeRequire(import.meta.url);" },
    });
    const inputs = [...new Set([...Object.keys(command.metafile.inputs), ...Object.keys(modules.metafile.inputs)])];
    for (const [folder, source] of Object.entries(besideFolders)) {
      mkdirSync(join(staging, folder), { recursive: true });
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
    // Files of earlier builds (ES-module chunks, once), when no process started from
    // them can still be loading them; and every compiled-code cache, which was of older files.
    for (const name of readdirSync(distCliDir)) {
      const path = join(distCliDir, name);
      if (/\.[cm]js$/.test(name) && !built.has(name) && statSync(path).mtimeMs < builtAt - 10 * 60_000) rmSync(path, { force: true });
    }
    rmSync(codeCacheDir, { recursive: true, force: true });
    const packageInputs = existsSync(join(repoRoot, installedPackages)) ? [installedPackages] : inputs.filter((input) => input.startsWith('node_modules/'));
    const sourceInputs = inputs.filter((input) => !input.startsWith('node_modules/'));
    writeFileSync(join(staging, 'inputs.json'), JSON.stringify({ builtAt, inputs: [...sourceInputs, ...packageInputs, 'package-lock.json'] }));
    renameSync(join(staging, 'inputs.json'), inputsFile);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildCli();
  process.stderr.write(`built ${relative(process.cwd(), join(distCliDir, 'brewlake.cjs'))}\n`);
}

/**
 * Bundles one Lambda handler with esbuild: everything it imports is inlined except the
 * AWS SDK v3, which the Node.js 22 runtime provides. ESM, minified, one file: `index.mjs`.
 */
import { buildSync, type Metafile } from 'esbuild';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundled Lambdas: name → handler file, relative to the repository. */
export const lambdaEntries = {
  ingest: 'lambdas/ingest/handler.ts',
  transform: 'lambdas/transform/handler.ts',
  serve: 'lambdas/serve/lambda.ts',
} as const;
export type LambdaName = keyof typeof lambdaEntries;

/** Some bundled CommonJS code calls require() for Node built-ins; an ES module has none of its own. */
export const esmRequireBanner = "import { createRequire as __brewlakeRequire } from 'node:module'; const require = __brewlakeRequire(import.meta.url);";

/** What the runtime provides: left out of every bundle. */
export const runtimeProvided = ['@aws-sdk/*'];

export interface LambdaBundle {
  readonly dir: string;
  readonly file: string;
  /** Bare imports left in the bundle (all of them runtime-provided). */
  readonly externalImports: string[];
}

export function bundleLambda(name: LambdaName, outRoot = join(repoRoot, 'dist', 'lambdas')): LambdaBundle {
  const dir = join(outRoot, name);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  const result = buildSync({
    entryPoints: [join(repoRoot, lambdaEntries[name])],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    legalComments: 'none',
    external: runtimeProvided,
    banner: { js: esmRequireBanner },
    metafile: true,
    logLevel: 'silent',
  });
  return { dir, file, externalImports: externalImportsOf(result.metafile) };
}

function externalImportsOf(metafile: Metafile): string[] {
  const found = new Set<string>();
  for (const output of Object.values(metafile.outputs)) {
    for (const i of output.imports) if (i.external && !i.path.startsWith('node:')) found.add(i.path);
  }
  return [...found].sort();
}

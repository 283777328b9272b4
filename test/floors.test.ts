/**
 * Imports point down the floors: glue (1) ← model, stacks (2) ← lambdas (3) ← local (4) ←
 * cli (5). Every production file (tests aside) is read with TypeScript's own import scanner,
 * which sees static, type-only, re-exported, dynamic and `require` imports alike; bench/, test/
 * and verify/ sit on top and may import anything, so nothing below may import them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const floors: Readonly<Record<string, number>> = { glue: 1, model: 2, stacks: 2, lambdas: 3, local: 4, cli: 5 };
/** bench/, test/, verify/, bin/ and any other folder: above every floor. */
const top = 6;
const floorOf = (repoPath: string) => {
  const parts = repoPath.split('/');
  // The entry points' own files at the root (package.json, cdktf.json) are settings every floor may read.
  if (parts.length === 1) return 0;
  return Object.hasOwn(floors, parts[0]!) ? floors[parts[0]!]! : top;
};

/** Tests, and what only tests load (`*.test-support.ts`, `*.fixture.ts`), sit on top wherever they are. */
const isTest = (name: string) => /\.(test|test-support|fixture)\.[cm]?ts$/.test(name);

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.[cm]?[jt]s$/.test(entry.name) && !entry.name.endsWith('.d.ts') && !isTest(entry.name) ? [path] : [];
  });
}

/** The imports of `file` (a repository path) that land on a higher floor than the file's own. */
function upwardImports(file: string, source: string): string[] {
  const own = floorOf(file);
  return ts
    .preProcessFile(source, true, true)
    .importedFiles.map((i) => i.fileName)
    .filter((specifier) => specifier.startsWith('.'))
    .filter((specifier) => {
      const target = relative(root, resolve(root, dirname(file), specifier)).split('\\').join('/');
      return floorOf(target) > own;
    })
    .map((specifier) => `${file} -> ${specifier}`);
}

describe('imports point down the floors', () => {
  it('finds an upward import in every form TypeScript allows', () => {
    const forms = [
      `import { serveLambdaEnv } from '../lambdas/serve/lambda-config';`,
      `import type { ServeLambdaConfig } from '../lambdas/serve/lambda-config';`,
      `export { serveLambdaEnv } from '../lambdas/serve/lambda-config';`,
      `const m = await import('../lambdas/serve/lambda-config');`,
      `const m = require('../lambdas/serve/lambda-config');`,
      `import '../lambdas/serve/lambda-config';`,
    ];
    for (const form of forms) expect(upwardImports('stacks/model-stack.ts', form), form).toEqual(['stacks/model-stack.ts -> ../lambdas/serve/lambda-config']);
    expect(upwardImports('glue/schema.ts', `import { x } from '../test/catalogue-lake';`)).toHaveLength(1);
    expect(upwardImports('lambdas/serve/x.ts', `import { x } from '../../local/firehose/direct-put';`)).toHaveLength(1);
    // Down, sideways within a floor, packages, and anything from the top floors are allowed.
    expect(upwardImports('lambdas/serve/x.ts', `import { a } from '../../glue/schema'; import { b } from '../../stacks/lambda-environment'; import { c } from './y'; import { Hono } from 'hono';`)).toEqual([]);
    expect(upwardImports('verify/x.ts', `import { a } from '../cli/main';`)).toEqual([]);
  });

  it('no production file imports a floor above its own', () => {
    const files = Object.keys(floors).flatMap(sourceFiles);
    expect(files.length).toBeGreaterThan(100);
    const upward = files.flatMap((file) => upwardImports(file, readFileSync(join(root, file), 'utf8')));
    expect(upward).toEqual([]);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, it } from 'vitest';
import { commandLoaders } from './commands';
import { repoRoot } from '../test/run-brewlake';

// After `npm ci` the command is not on PATH: every hint and every doc says `npx brewlake`.
const bare = new RegExp(`(?<!npx )(?<![\\w/.-])brewlake (${Object.keys(commandLoaders).join('|')})\\b`);

function files(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(join(repoRoot, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && keep(e.name))
    .map((e) => relative(repoRoot, join(e.parentPath, e.name)));
}

it('no message, help text or doc tells the user to run a bare `brewlake COMMAND`', () => {
  const sources = ['cli', 'glue', 'lambdas', 'local', 'model'].flatMap((d) => files(d, (n) => n.endsWith('.ts') && !n.endsWith('.test.ts')));
  const docs = ['README.md', ...files('docs', (n) => n.endsWith('.md'))];
  const offending: string[] = [];
  for (const file of [...sources, ...docs]) {
    readFileSync(join(repoRoot, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        // Comments name the command for the reader of the code; only what users read counts.
        if (file.endsWith('.ts') && /^\s*(\*|\/\/|\/\*)/.test(line)) return;
        if (bare.test(line)) offending.push(`${file}:${i + 1}: ${line.trim()}`);
      });
  }
  expect(offending).toEqual([]);
  expect(sources.length).toBeGreaterThan(50);
});

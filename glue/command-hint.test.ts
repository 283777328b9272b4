import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brewlakeCommand, shellWord } from './command-hint';
import { defaultLakeDir } from './layout';

describe('brewlakeCommand', () => {
  it('names a lake that is not the default, and leaves the default out unless asked', () => {
    expect(brewlakeCommand('train', { lake: defaultLakeDir })).toBe('npx brewlake train');
    expect(brewlakeCommand('train', { lake: '/data/lake2' })).toBe('npx brewlake train --lake /data/lake2');
    expect(brewlakeCommand('demo --once', { lake: defaultLakeDir, always: true })).toBe('npx brewlake demo --once --lake lake');
    expect(brewlakeCommand('serve', { lake: 'l', registry: 's3://b/models/' })).toBe('npx brewlake serve --lake l --registry s3://b/models/');
  });

  it('for every path, the shell reads the word back as the path (a pasted hint names the same lake)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 20, unit: fc.constantFrom('a', ' ', "'", '"', '$', '`', '\\', '*', '/', '-', ';', '&', '(', 'é', '\t', '!') }), (path) => {
        expect(execFileSync('sh', ['-c', `printf %s ${shellWord(path)}`]).toString()).toBe(path);
      }),
      { numRuns: 40 },
    );
  });
});

/** `brewlake train`, the real binary. */
import { execFile } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

describe('brewlake train', () => {
  it('on an empty lake names the lake and how to fill it, as serve does', async () => {
    const lake = await mkdtemp(join(tmpdir(), 'empty-lake-'));
    const failed = await promisify(execFile)(process.execPath, ['bin/brewlake.mjs', 'train', '--lake', lake], { cwd: root }).then(
      () => undefined,
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed?.code).toBe(1);
    expect(failed?.stderr).toContain(`the lake at ${lake} has no beers to train on: build it first with \`brewlake demo --once --lake ${lake}\``);
    expect(failed?.stderr).not.toMatch(/fitGbm/);
  });
});

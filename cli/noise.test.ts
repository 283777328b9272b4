import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeCatalogueLake } from '../test/catalogue-lake';
import { runBrewlake } from '../test/run-brewlake';

let lake: string;
beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), 'brewlake-cli-noise-'));
  await writeCatalogueLake(lake);
});
afterAll(async () => {
  await rm(lake, { recursive: true, force: true });
});

it('a mistyped command prints its suggestion, not the whole help', async () => {
  const { code, stdout, stderr } = await runBrewlake(['qurey', 'select 1']);
  expect(code).toBe(1);
  expect(stdout).toBe('');
  expect(stderr).toBe("error: unknown command 'qurey'\n(Did you mean query?)\n");
});

it('train without a terminal says each feature set’s cross-validation once, at its last fold', async () => {
  const { code, stderr } = await runBrewlake(['train', '--features', 'base', '--lake', lake]);
  expect(code, stderr).toBe(0);
  const folds = stderr.split('\n').filter((l) => /fold \d+\/\d+/.test(l));
  expect(folds).toHaveLength(1);
  expect(folds[0]).toMatch(/^cross-validating base: fold (\d+)\/\1$/);
}, 120_000);

it("the tests' processes are spared the AWS SDK's Node 22 notice", async () => {
  // A child process of a test, as the CLI tests start them, constructing an AWS SDK client.
  const { stderr } = await promisify(execFile)(process.execPath, ['-e', "const { S3Client } = require('@aws-sdk/client-s3'); new S3Client({ region: 'eu-west-1' });"], {
    cwd: join(import.meta.dirname, '..'),
  });
  expect(stderr).toBe('');
});

/**
 * Each Lambda bundle works from its one file: it leaves out only what the Node.js 22
 * runtime provides (the AWS SDK v3), and it answers its handler when loaded alone.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureStream, startKinesis, type LocalKinesis } from '../local/kinesis';
import { catalogue } from '../test/catalogue-lake';
import { createKinesisClient } from '../lambdas/kinesis-client';
import { bundleLambda, lambdaEntries, repoRoot, type LambdaName } from './lambda-bundle';

// Inside the repository, so `@aws-sdk/*` resolves from node_modules as the runtime provides it.
const outRoot = join(repoRoot, 'test-results', 'bundles');
const load = async (name: LambdaName) => {
  const bundle = bundleLambda(name, outRoot);
  return { bundle, module: (await import(`${pathToFileURL(bundle.file).href}?t=${Date.now()}`)) as { handler: (event: unknown) => Promise<any> } };
};

afterAll(() => rmSync(outRoot, { recursive: true, force: true }));

describe('the Lambda bundles', () => {
  it.each(Object.keys(lambdaEntries) as LambdaName[])('%s leaves out nothing but the runtime-provided AWS SDK', (name) => {
    const { externalImports } = bundleLambda(name, outRoot);
    for (const path of externalImports) expect(path).toMatch(/^@aws-sdk\//);
  });

  it('transform answers a Firehose event from its bundle', async () => {
    const { module } = await load('transform');
    const data = Buffer.from(`${JSON.stringify(catalogue[0])}\n`).toString('base64');
    const result = await module.handler({
      invocationId: 'i',
      deliveryStreamArn: 'arn:aws:firehose:eu-west-1:1:deliverystream/brewlake-cleaned',
      region: 'eu-west-1',
      records: [
        { recordId: 'a', approximateArrivalTimestamp: 1_700_000_000_000, data },
        { recordId: 'b', approximateArrivalTimestamp: 1_700_000_000_000, data: Buffer.from('not json').toString('base64') },
      ],
    });
    expect(result.records.map((r: { recordId: string; result: string }) => [r.recordId, r.result])).toEqual([['a', 'Ok'], ['b', 'ProcessingFailed']]);
    expect(JSON.parse(Buffer.from(result.records[0].data, 'base64').toString())).toMatchObject({ id: catalogue[0]!.id });
  });

  describe('ingest, against a real Kinesis API', () => {
    let kinesis: LocalKinesis;
    const env = { ...process.env };
    beforeAll(async () => {
      kinesis = await startKinesis();
      const client = createKinesisClient({ endpoint: kinesis.endpoint });
      await ensureStream(client, 'bundle-test', 1);
      client.destroy();
    });
    afterAll(async () => {
      process.env = env;
      await kinesis.close();
    });

    it('puts beers from the bundled catalogue with its bundle alone', async () => {
      process.env = { ...env, BREWLAKE_SOURCE: 'bundled', BREWLAKE_STREAM_NAME: 'bundle-test', BREWLAKE_KINESIS_ENDPOINT: kinesis.endpoint };
      const { module } = await load('ingest');
      expect(await module.handler({ mode: 'random:3' })).toMatchObject({ mode: 'random', put: 3 });
    });
  });
});

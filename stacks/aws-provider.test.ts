/**
 * One provider version: `stacks/aws-provider.json` is what every stack's `required_providers`
 * pins, and it must be the version the installed @cdktn/provider-aws bindings were generated
 * from (a binding for another version would type-check against attributes the provider lacks).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, TerraformStack } from 'cdktn';
import { describe, expect, it } from 'vitest';
import { addAwsProvider, awsProviderPin } from './aws-provider';
import { readStackConfig } from './config';
import { buildApp, stackIds } from './main';

const require = createRequire(import.meta.url);

function synthTerraformBlock(build: (app: App) => void, stack: string) {
  const outdir = mkdtempSync(join(tmpdir(), 'cdktn-provider-'));
  const app = new App({ outdir });
  build(app);
  app.synth();
  return JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
}

describe('the AWS provider version', () => {
  it('stacks/aws-provider.json names the version the installed @cdktn/provider-aws was generated for', () => {
    const binding = JSON.parse(readFileSync(require.resolve('@cdktn/provider-aws/package.json'), 'utf8'));
    expect(binding.cdktn.provider.name).toBe(`registry.terraform.io/${awsProviderPin.source}`);
    expect(awsProviderPin.version).toBe(binding.cdktn.provider.version);
    expect(JSON.parse(readFileSync(new URL('./aws-provider.json', import.meta.url), 'utf8')).version).toBe(awsProviderPin.version);
  });

  it('every stack pins exactly that version, from that file', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'cdktn-provider-'));
    buildApp(readStackConfig({}), outdir).synth();
    for (const id of Object.values(stackIds)) {
      const json = JSON.parse(readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8'));
      expect(json.terraform.required_providers, id).toEqual({ aws: { source: awsProviderPin.source, version: awsProviderPin.version } });
    }
  });

  it('the pin, not the binding, decides the synthesized version', () => {
    const json = synthTerraformBlock((app) => addAwsProvider(new TerraformStack(app, 'probe'), 'eu-west-1', { source: 'hashicorp/aws', version: '9.9.9' }), 'probe');
    expect(json.terraform.required_providers.aws).toEqual({ source: 'hashicorp/aws', version: '9.9.9' });
  });
});

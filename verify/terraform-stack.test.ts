import { describe, expect, it } from 'vitest';
import { motoGaps } from './moto-gaps';
import { classifyChanges, overrideJson, plannedChanges, providerEndpointServices, terraformErrors } from './terraform-stack';

const applyOutput = `aws_s3_bucket.lake: Creating...
╷
│ Error: creating Glue Crawler (brewlake-lake): operation error Glue: CreateCrawler, https response error StatusCode: 501, api error NotImplemented
│
│   with aws_glue_crawler.crawler,
│   on cdk.tf.json line 812, in resource.aws_glue_crawler.crawler:
│  812:       }
│
╵
╷
│ Error: Invalid provider configuration
│
│ Provider "registry.terraform.io/hashicorp/aws" requires explicit configuration.
╵
`;

describe('terraform against moto', () => {
  it("names each error's resource and reason from Terraform's plain output", () => {
    expect(terraformErrors(applyOutput)).toEqual([
      { address: 'aws_glue_crawler.crawler', message: 'creating Glue Crawler (brewlake-lake): operation error Glue: CreateCrawler, https response error StatusCode: 501, api error NotImplemented' },
      { address: undefined, message: 'Invalid provider configuration: Provider "registry.terraform.io/hashicorp/aws" requires explicit configuration.' },
    ]);
    expect(terraformErrors('Apply complete! Resources: 3 added, 0 changed, 0 destroyed.')).toEqual([]);
  });

  it('the override sends every service the stacks use to moto, keeps state in the temp folder and needs no real credentials', () => {
    const json = overrideJson({ statePath: '/tmp/x/brewlake-lake.tfstate', endpoint: 'http://127.0.0.1:4000' }) as {
      terraform: { backend: { local: { path: string } } };
      provider: { aws: { endpoints: Record<string, string>[]; skip_credentials_validation: boolean; s3_use_path_style: boolean } };
    };
    expect(json.terraform.backend.local.path).toBe('/tmp/x/brewlake-lake.tfstate');
    expect(Object.keys(json.provider.aws.endpoints[0]!).sort()).toEqual([...providerEndpointServices].sort());
    expect(new Set(Object.values(json.provider.aws.endpoints[0]!))).toEqual(new Set(['http://127.0.0.1:4000']));
    expect(json.provider.aws.skip_credentials_validation && json.provider.aws.s3_use_path_style).toBe(true);
  });
});

describe('the second plan', () => {
  const change = (address: string, actions: string[], before: Record<string, unknown>, after: Record<string, unknown>) => ({ address, type: address.split('.')[0]!, change: { actions, before, after } });
  const plan = {
    resource_changes: [
      change('aws_s3_bucket.lake', ['no-op'], { bucket: 'b' }, { bucket: 'b' }),
      change('aws_kinesis_stream.stream', ['update'], { name: 's', tags_all: {} }, { name: 's', tags_all: { project: 'brewlake' } }),
      change('aws_lambda_function.serve', ['update'], { logging_config: [], timeout: 30 }, { logging_config: [{ log_format: 'JSON' }], timeout: 60 }),
      change('aws_kinesis_firehose_delivery_stream.cleaned', ['update'], { extended_s3_configuration: [{ a: 1 }] }, { extended_s3_configuration: [{ a: 2 }] }),
      change('aws_lambda_function.ingest', ['delete', 'create'], { logging_config: [] }, { logging_config: [{ log_format: 'JSON' }] }),
    ],
  };

  it("is drift unless every attribute a resource would change is a read-back gap of its type, and it is an in-place update", () => {
    const changes = plannedChanges(plan);
    expect(changes.map((c) => c.address)).not.toContain('aws_s3_bucket.lake');
    const { drift, readBackGaps } = classifyChanges(changes, motoGaps);
    expect(readBackGaps.map((g) => `${g.address} ${g.attribute}`)).toEqual(['aws_kinesis_stream.stream tags_all']);
    expect(drift).toEqual([
      'aws_lambda_function.serve: logging_config, timeout (update)',
      'aws_kinesis_firehose_delivery_stream.cleaned: extended_s3_configuration (update)',
      'aws_lambda_function.ingest: logging_config (delete/create)',
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { overrideJson, providerEndpointServices, terraformErrors } from './terraform-stack';

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

/**
 * The hashicorp/aws provider every stack configures. Its version has one home,
 * `stacks/aws-provider.json` (also read by verify/build-provider.sh), and the synthesized
 * `required_providers` pins exactly that version rather than the binding's default.
 */
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { TerraformStack } from 'cdktn';
import pin from './aws-provider.json' with { type: 'json' };

export const awsProviderPin: { readonly source: string; readonly version: string } = { source: pin.source, version: pin.version };

export function addAwsProvider(stack: TerraformStack, region: string, version = awsProviderPin): AwsProvider {
  const provider = new AwsProvider(stack, 'aws', { region, defaultTags: [{ tags: { project: 'brewlake', stack: stack.node.id } }] });
  stack.addOverride('terraform.required_providers.aws', { source: version.source, version: version.version });
  return provider;
}

/**
 * The CDK Terrain (cdktn) app: `make synth` (or `npx tsx stacks/main.ts`) writes Terraform JSON into
 * `cdktf.out/stacks/<stack>/cdk.tf.json`. That JSON is the contract: `terraform` or `tofu`
 * applies it directly, with no cdktn CLI (see docs/deploy.md).
 */
import { App } from 'cdktn';
import cdktfJson from '../cdktf.json' with { type: 'json' };
import { readStackConfig } from './config';
import { LakeStack } from './lake-stack';
import { ModelStack } from './model-stack';

export const stackIds = { lake: 'brewlake-lake', model: 'brewlake-model' } as const;

/**
 * The Terraform and OpenTofu versions the JSON targets, from cdktf.json (the cdktn CLI reads
 * the same field): >= 1.10 for both, the first with S3's native state lock (`use_lockfile`).
 */
export const targetVersions: { readonly terraform: string; readonly opentofu: string } = cdktfJson.targetVersions;

/** `cdktf.out`, or CDKTF_OUTDIR (the variable cdktn itself reads; stacks/deploy.sh honours it too). */
export const defaultOutdir = process.env.CDKTF_OUTDIR || 'cdktf.out';

/**
 * The JSON's `required_version`: one constraint both binaries check against their own version
 * (OpenTofu reads `required_version` too), so an older terraform or tofu stops at `init`
 * instead of ignoring `use_lockfile` or failing later.
 */
export function requiredVersion(versions: typeof targetVersions = targetVersions): string {
  if (versions.terraform !== versions.opentofu) throw new Error(`cdktf.json targetVersions: terraform (${versions.terraform}) and opentofu (${versions.opentofu}) differ, but the JSON's required_version is one constraint for both`);
  return versions.terraform.replace(/^>=\s*/, '>= ');
}

export function buildApp(config = readStackConfig(), outdir = defaultOutdir): App {
  const app = new App({ outdir, skipValidation: false, context: { targetVersions } });
  for (const stack of [new LakeStack(app, stackIds.lake, config), new ModelStack(app, stackIds.model, config)]) stack.addOverride('terraform.required_version', requiredVersion());
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  buildApp().synth();
  console.log(`synthesized ${Object.values(stackIds).join(', ')} into ${defaultOutdir}/stacks/ in ${Math.round(performance.now() - started)} ms`);
}

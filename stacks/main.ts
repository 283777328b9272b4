/**
 * The CDK Terrain (cdktn) app: `make synth` (or `npx tsx stacks/main.ts`) writes Terraform JSON into
 * `cdktf.out/stacks/<stack>/cdk.tf.json`. That JSON is the contract: `terraform` or `tofu`
 * applies it directly, with no cdktn CLI (see docs/deploy.md).
 */
import { App } from 'cdktn';
import { readStackConfig } from './config';
import { LakeStack } from './lake-stack';
import { ModelStack } from './model-stack';

export const stackIds = { lake: 'brewlake-lake', model: 'brewlake-model' } as const;

export function buildApp(config = readStackConfig(), outdir = 'cdktf.out'): App {
  const app = new App({ outdir, skipValidation: false });
  new LakeStack(app, stackIds.lake, config);
  new ModelStack(app, stackIds.model, config);
  return app;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  buildApp().synth();
  console.log(`synthesized ${Object.values(stackIds).join(', ')} into cdktf.out/stacks/ in ${Math.round(performance.now() - started)} ms`);
}

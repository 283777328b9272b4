// Throwaway: the harness with provider 5.100.0 from /opt/tf-plugins, to debug before 6.66.0 is built. Not committed.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMotoServer } from './moto-server';
import { terraformCliConfig } from './provider-mirror';
import { prepareStack, stackDown, stackUp, terraformEnv } from './terraform-stack';
import { motoGaps } from './moto-gaps';
const moto = await startMotoServer('.venv/bin/moto_server');
const work = mkdtempSync(join(tmpdir(), 'dev-verify-'));
console.log(work);
writeFileSync(join(work, 'rc'), terraformCliConfig('/opt/tf-plugins'));
const tf = { binary: 'terraform', env: terraformEnv({ cliConfigFile: join(work, 'rc'), endpoint: moto.endpoint, region: 'eu-west-1' }), logDir: work };
const stacks = (process.argv[2] ?? 'brewlake-lake,brewlake-model').split(',');
const runs = [];
for (const s of stacks) {
  const st = prepareStack({ stack: s, sourceDir: `cdktf.out/stacks/${s}`, workRoot: work, endpoint: moto.endpoint, gaps: motoGaps });
  const o = JSON.parse(readFileSync(join(st.dir, 'verify_override.tf.json'), 'utf8'));
  o.terraform.required_providers = { aws: { source: 'hashicorp/aws', version: '5.100.0' } };
  writeFileSync(join(st.dir, 'verify_override.tf.json'), JSON.stringify(o));
  const up = await stackUp(tf, st);
  console.log(s, JSON.stringify({ ...up, outputs: Object.keys(up.outputs) }));
  runs.push(st);
}
for (const st of runs.reverse()) console.log(st.stack, await stackDown(tf, st));
await moto.stop();

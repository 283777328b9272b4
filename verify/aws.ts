/**
 * `make verify_aws`: the AWS half against independent implementations, offline. The real
 * hashicorp/aws provider (from the offline mirror) applies both synthesized stacks to moto
 * and destroys them; checkov reads the synthesized JSON; the SDK paths of the Lambdas and
 * the CLI run against what apply created. Ends on one table and `verify_aws: N passed, M failed`
 * (exit 1 when M > 0). Progress goes to stderr, the summary to stdout.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveLambdaEnv } from '../stacks/lambda-environment';
import { readStackConfig } from '../stacks/config';
import { repoRoot } from '../stacks/lambda-bundle';
import { buildApp, stackIds } from '../stacks/main';
import { applySkips, readCheckovSkips, runCheckov } from './checkov-scan';
import { motoGaps } from './moto-gaps';
import { startMotoServer } from './moto-server';
import { describeOrigin, pinnedProvider, providerMirror, terraformCliConfig } from './provider-mirror';
import { checkIngest, checkPromoteAndRollback, checkServeLambda, checkTrainOnAthena, sdkEnvironment, type AwsUnderTest, type CheckResult } from './sdk-checks';
import { createStandIns } from './sdk-stand-ins';
import { formatSummary, type SummaryRow } from './summary';
import { deleteDeleteMarkers, liftSdkBlockers, prepareStack, recordForceDestroy, stackDown, stackUp, stateResources, terraformEnv, type GapHit, type StackRun, type StackUpResult, type Terraform } from './terraform-stack';

const started = performance.now();
const say = (line: string) => process.stderr.write(`verify_aws [${Math.round((performance.now() - started) / 1000)} s] ${line}\n`);
const rows: SummaryRow[] = [];
const row = (status: SummaryRow['status'], item: string, detail: string) => rows.push({ status, item, detail });
const gb = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GB`;

const stacksDir = join(repoRoot, 'cdktf.out', 'stacks');
const venvBin = join(repoRoot, '.venv', 'bin');
const config = readStackConfig();

// ---- checkov: needs nothing but the synthesized JSON
say('checkov over cdktf.out/ ...');
const checkov = runCheckov(join(venvBin, 'checkov'), join(repoRoot, 'cdktf.out'));
if (!checkov.ok) row('FAIL', 'checkov', checkov.reason);
else {
  const verdict = applySkips(checkov.report, readCheckovSkips(join(repoRoot, 'verify', 'checkov-skips.json')));
  const counts = `${verdict.passed} passed, ${verdict.failed.length} failed, ${verdict.suppressed.length} suppressed (verify/checkov-skips.json: ${new Set(verdict.suppressed.map((s) => s.checkId)).size} checks)`;
  const failed = verdict.failed.map((f) => `${f.checkId} ${f.resource} (${f.file}): ${f.checkName}`);
  for (const f of failed) say(`checkov failed: ${f}`);
  const unused = verdict.unusedSkips.length > 0 ? `; suppressions no check needs: ${verdict.unusedSkips.join(', ')}` : '';
  row(verdict.failed.length === 0 ? 'pass' : 'FAIL', 'checkov', `${counts}${failed.length ? `; not suppressed: ${[...new Set(verdict.failed.map((f) => f.checkId))].join(', ')}` : ''}${unused}`);
}

// ---- the provider
const mirror = providerMirror();
const build = mirror.build ? `cold build ${mirror.build.wall}, peak ${gb(mirror.build.peakRssBytes)}` : 'cold build not measured on this machine';
const terraformBinary = ['terraform', 'tofu'].find((b) => {
  try {
    execFileSync(b, ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
});
const notRunReason =
  mirror.kind === 'missing'
    ? `provider ${pinnedProvider.version} not in ${mirror.mirrorDir} (make provider builds it; ${build})`
    : terraformBinary === undefined
      ? 'neither terraform nor tofu is on PATH'
      : undefined;
row(mirror.kind === 'cached' ? 'info' : 'NOT RUN', `provider ${pinnedProvider.source} ${pinnedProvider.version}`, mirror.kind === 'cached' ? `${describeOrigin(mirror.builtFrom, mirror.sourceVersion)}; ${build}` : notRunReason!);

// ---- moto, and everything that talks to it
const moto = await startMotoServer(join(venvBin, 'moto_server'));
say(`moto on ${moto.endpoint}`);
Object.assign(process.env, sdkEnvironment(moto.endpoint, config.region));
const workRoot = mkdtempSync(join(tmpdir(), 'brewlake-verify-aws-'));
const sdkResults: CheckResult[] = [];
const gapsSeen: { address: string; reason: string }[] = [];
const gapReason = (hit: GapHit) =>
  `${hit.gap.api}${hit.attribute ? ` (${hit.attribute} not read back)` : hit.gap.kind === 'delete' ? ' (not deletable: removed from state before destroy)' : hit.gap.kind === 'blocks-sdk' ? ' (applied, read back, then lifted before the SDK checks)' : hit.gap.kind === 'force-destroy' ? ' (its delete markers deleted through the SDK before the forced destroy)' : ''}`;

/** The serving Lambda in a synthesized stack: the one whose environment names the models bucket. */
function serveLambda(stackDir: string): { filename: string; name: string } {
  const json = JSON.parse(readFileSync(join(stackDir, 'cdk.tf.json'), 'utf8')) as { resource?: { aws_lambda_function?: Record<string, { filename: string; function_name: string; environment?: { variables?: Record<string, string> } }> } };
  const fn = Object.values(json.resource?.aws_lambda_function ?? {}).find((f) => f.environment?.variables?.[serveLambdaEnv.modelsBucket] !== undefined);
  if (!fn) throw new Error(`${stackDir}/cdk.tf.json has no Lambda with ${serveLambdaEnv.modelsBucket} in its environment`);
  return { filename: join(stackDir, fn.filename), name: fn.function_name };
}

async function runSdkChecks(aws: AwsUnderTest, bundleZip: string) {
  for (const check of [
    () => checkIngest(aws),
    () => checkTrainOnAthena(aws, repoRoot),
    () => checkPromoteAndRollback(aws, repoRoot),
    () => checkServeLambda(aws, { bundleZip, unpackDir: join(repoRoot, 'test-results', 'verify-aws', 'serve') }),
  ]) {
    const result = await check();
    say(`${result.pass ? 'pass' : 'FAIL'}: ${result.name} (${result.seconds.toFixed(1)} s): ${result.detail}`);
    sdkResults.push(result);
  }
}

const stackRow = (stack: StackRun, up: StackUpResult | undefined) => {
  const excluded = stack.excluded.length;
  if (!up) return row('NOT RUN', `${stack.stack} apply`, 'the lake stack did not apply');
  const applyFailed = up.failed && ['init', 'validate', 'plan', 'apply'].includes(up.failed.step);
  row(
    applyFailed ? 'FAIL' : 'pass',
    `${stack.stack} apply`,
    applyFailed
      ? `${up.failed!.step} failed: ${up.failed!.reason}`
      : `${up.applied} of ${stack.addresses.length} resources applied${excluded ? `, ${excluded} left out for moto gaps (below)` : ''} (${up.seconds.toFixed(0)} s)`,
  );
  if (applyFailed) return row('NOT RUN', `${stack.stack} second plan empty`, `${up.failed!.step} failed first`);
  gapsSeen.push(...up.readBackGaps.map((hit) => ({ address: hit.address, reason: gapReason(hit) })));
  const readBack = up.readBackGaps.length > 0 ? ` but ${up.readBackGaps.length} attribute(s) moto does not read back (moto gaps)` : '';
  row(up.secondPlanEmpty ? 'pass' : 'FAIL', `${stack.stack} second plan empty`, up.secondPlanEmpty ? `yes: no drift${readBack}` : `no: ${up.failed?.reason ?? 'changes planned'}`);
};

try {
  if (notRunReason) {
    for (const id of Object.values(stackIds)) for (const step of ['apply', 'second plan empty', 'destroy clean']) row('NOT RUN', `${id} ${step}`, 'the provider is not available (above)');
    say('provider not available: the SDK checks run against stand-ins created through the SDK');
    const aws = await createStandIns(moto.endpoint);
    await runSdkChecks(aws, serveLambda(join(stacksDir, stackIds.model)).filename);
  } else {
    const cliConfigFile = join(workRoot, 'terraform.rc');
    writeFileSync(cliConfigFile, terraformCliConfig(mirror.mirrorDir));
    const tf: Terraform = { binary: terraformBinary!, env: terraformEnv({ cliConfigFile, endpoint: moto.endpoint, region: config.region }), logDir: workRoot };
    const prepare = (stack: string) => prepareStack({ stack, sourceDir: join(stacksDir, stack), workRoot, endpoint: moto.endpoint, gaps: motoGaps });
    const lake = prepare(stackIds.lake);
    const model = prepare(stackIds.model);
    gapsSeen.push(...[...lake.excluded, ...model.excluded].map((e) => ({ address: e.address, reason: e.reason })));
    say(`terraform logs in ${workRoot}`);
    say(`${lake.stack}: init, validate, plan, apply, second plan ...`);
    const lakeUp = await stackUp(tf, lake);
    say(`${lake.stack}: ${lakeUp.failed ? `${lakeUp.failed.step} failed: ${lakeUp.failed.reason}` : `${lakeUp.applied} applied, second plan empty`}`);
    const lakeApplied = !lakeUp.failed || lakeUp.failed.step === 'second plan';
    let modelUp: StackUpResult | undefined;
    if (lakeApplied) {
      say(`${model.stack}: init, validate, plan, apply, second plan ...`);
      modelUp = await stackUp(tf, model);
      say(`${model.stack}: ${modelUp.failed ? `${modelUp.failed.step} failed: ${modelUp.failed.reason}` : `${modelUp.applied} applied, second plan empty`}`);
    }
    stackRow(lake, lakeUp);
    stackRow(model, modelUp);

    const modelApplied = modelUp !== undefined && (!modelUp.failed || modelUp.failed.step === 'second plan');
    if (lakeApplied && modelApplied) {
      const serve = serveLambda(model.dir);
      const deployed = (await stateResources(tf, model)).find((r) => r.type === 'aws_lambda_function' && r.values.function_name === serve.name);
      const variables = (deployed?.values.environment as { variables?: Record<string, string> }[] | undefined)?.[0]?.variables ?? {};
      const out = (up: StackUpResult, name: string) => up.outputs[name] ?? '';
      for (const stack of [lake, model]) {
        for (const hit of await liftSdkBlockers(tf, stack)) gapsSeen.push({ address: hit.address, reason: gapReason(hit) });
      }
      await runSdkChecks(
        {
          endpoint: moto.endpoint,
          region: config.region,
          lakeBucket: out(lakeUp, 'lake_bucket'),
          stream: out(lakeUp, 'stream_name'),
          predictionLogDeliveryStream: out(lakeUp, 'prediction_log_delivery_stream'),
          database: out(lakeUp, 'glue_database'),
          workgroup: out(lakeUp, 'athena_workgroup'),
          registry: out(modelUp!, 'registry'),
          adminTokenParameter: out(modelUp!, 'admin_token_parameter'),
          serveEnvironment: variables,
        },
        serve.filename,
      );
    } else {
      for (const name of ['ingest → Kinesis → GetRecords', 'train --engine athena → S3 registry', 'promote, roll back (conditional writes)', 'serving Lambda bundle (S3, SSM, Firehose)']) sdkResults.push({ name, pass: false, detail: 'not run: the stacks did not apply', seconds: 0 });
    }

    // The teardown users run: BREWLAKE_FORCE_DESTROY=1 synthesizes the buckets with force_destroy,
    // records that with apply -target on the buckets, then destroys (stacks/deploy.sh destroy_stacks).
    // The buckets still hold what the SDK checks wrote: models, prediction logs, delete markers.
    const forcedOut = join(workRoot, 'forced');
    buildApp({ ...config, forceDestroy: true }, forcedOut).synth();
    for (const [stack, up] of [[model, modelUp], [lake, lakeUp]] as const) {
      if (!up) {
        row('NOT RUN', `${stack.stack} destroy clean`, 'not applied');
        continue;
      }
      const markers = await deleteDeleteMarkers(tf, stack);
      gapsSeen.push(...markers.map((hit) => ({ address: hit.address, reason: gapReason(hit) })));
      const forced = await recordForceDestroy(tf, stack, join(forcedOut, 'stacks', stack.stack, 'cdk.tf.json'));
      if (!forced.ok) {
        row('FAIL', `${stack.stack} destroy clean`, `no: BREWLAKE_FORCE_DESTROY's path: ${forced.reason}`);
        continue;
      }
      say(`${stack.stack}: force_destroy recorded on ${forced.buckets.length} bucket(s); destroy ...`);
      const down = await stackDown(tf, stack);
      gapsSeen.push(...down.deleteGaps.map((hit) => ({ address: hit.address, reason: gapReason(hit) })));
      const markerCount = markers.reduce((n, hit) => n + (hit.count ?? 0), 0);
      const how = `through BREWLAKE_FORCE_DESTROY's path: force_destroy recorded on ${forced.buckets.length} bucket(s), the provider deleted their objects${markerCount ? ` (${markerCount} delete marker(s) first through the SDK: moto gap)` : ''}`;
      row(down.destroyClean ? 'pass' : 'FAIL', `${stack.stack} destroy clean`, down.destroyClean ? `yes: state empty, ${how} (${down.seconds.toFixed(0)} s)` : `no: ${down.reason}`);
    }
  }
} catch (error) {
  row('FAIL', 'verify_aws', `stopped by ${(error as Error).name}: ${(error as Error).message}`);
} finally {
  await moto.stop();
}

for (const r of sdkResults) row(r.pass ? 'pass' : 'FAIL', `SDK ${r.name}`, r.detail);
const byReason = new Map<string, string[]>();
for (const g of gapsSeen) byReason.set(g.reason, [...(byReason.get(g.reason) ?? []), g.address]);
const gapLines = [...byReason].map(([reason, addresses]) => `${reason}: ${addresses.length === 1 ? addresses[0] : `${addresses.length}× ${[...new Set(addresses.map((a) => a.split('.')[0]))].join(', ')}`}`);
row('info', 'moto gaps', notRunReason ? 'unknown: the provider did not run' : gapsSeen.length === 0 ? 'none' : `${gapsSeen.length} (verify/moto-gaps.ts): ${gapLines.join('; ')}`);
row('info', 'time', `${Math.round((performance.now() - started) / 1000)} s`);

// Keep the terraform logs of a failed run; a passing one leaves nothing behind.
const summary = formatSummary(rows);
console.log(summary);
if (rows.some((r) => r.status === 'FAIL')) say(`logs kept in ${workRoot}`);
else if (existsSync(workRoot)) rmSync(workRoot, { recursive: true, force: true });
process.exitCode = rows.some((r) => r.status === 'FAIL') ? 1 : 0;

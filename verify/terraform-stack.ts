/**
 * One synthesized stack through the real provider against moto: init → validate → plan →
 * apply → a second plan that must be empty → (the caller's SDK checks) → destroy, leaving
 * an empty state. It runs on a copy of `cdktf.out/stacks/<stack>` in a temporary folder;
 * the synthesized JSON is not edited: a `verify_override.tf.json` beside it (Terraform's
 * override files) sets a local backend in that folder, moto's endpoints and fake credentials.
 */
import { DeleteBucketPolicyCommand, DeleteObjectsCommand, ListObjectVersionsCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn } from 'node:child_process';
import { cpSync, createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MotoGap } from './moto-gaps';
import { isDeepStrictEqual } from 'node:util';
import { exclusionsFor, resourceAddresses, type Exclusion, type StackJson } from './stack-resources';

/** The services our stacks use: every one is sent to moto (AWS_ENDPOINT_URL covers any other). */
export const providerEndpointServices = ['athena', 'cloudwatch', 'events', 'firehose', 'glue', 'iam', 'kinesis', 'kms', 'lambda', 'logs', 's3', 'sns', 'ssm', 'sts'] as const;

export function overrideJson(options: { statePath: string; endpoint: string }): object {
  return {
    terraform: { backend: { local: { path: options.statePath } } },
    provider: {
      aws: {
        access_key: 'verify',
        secret_key: 'verify',
        skip_credentials_validation: true,
        skip_metadata_api_check: true,
        skip_region_validation: true,
        s3_use_path_style: true,
        // An API moto lacks fails after a few tries instead of being retried for many minutes.
        max_retries: 2,
        endpoints: [Object.fromEntries(providerEndpointServices.map((s) => [s, options.endpoint]))],
      },
    },
  };
}

export interface CommandResult {
  readonly code: number;
  readonly output: string;
  readonly seconds: number;
}

export interface TerraformError {
  /** `aws_glue_crawler.crawler`, when Terraform names the resource. */
  readonly address: string | undefined;
  readonly message: string;
}

/** The `Error:` blocks of Terraform's plain output, each with the resource it names and its first detail line. */
export function terraformErrors(output: string): TerraformError[] {
  const errors: TerraformError[] = [];
  const blocks = output.split(/\n(?=│?\s*Error: )/);
  for (const block of blocks) {
    const head = /^│?\s*Error: (.*)$/m.exec(block);
    if (!head) continue;
    const address = /with ((?:data\.)?[a-z0-9_]+\.[A-Za-z0-9_-]+(?:\[[^\]]+\])?)/.exec(block)?.[1];
    const detail = block
      .split('\n')
      .map((l) => l.replace(/^│\s?/, '').trim())
      .filter((l) => l && !l.startsWith('Error:') && !l.startsWith('with ') && !l.startsWith('on ') && !/^\d+:/.test(l) && !/^[╵╷]/.test(l))[0];
    errors.push({ address, message: detail ? `${head[1]!.trim()}: ${detail}` : head[1]!.trim() });
  }
  return errors;
}

export interface StackRun {
  readonly stack: string;
  readonly dir: string;
  readonly addresses: readonly string[];
  readonly excluded: readonly Exclusion[];
  /** Passed to every plan/apply/destroy: empty when nothing is excluded. */
  readonly targets: readonly string[];
  readonly gaps: readonly MotoGap[];
}

export interface GapHit {
  readonly address: string;
  readonly gap: MotoGap;
  /** The attribute, for a read-back gap. */
  readonly attribute?: string;
  /** How many objects the workaround handled, for a force-destroy gap. */
  readonly count?: number;
}

interface PlanJson {
  readonly resource_changes?: { address: string; type: string; change: { actions: string[]; before: Record<string, unknown> | null; after: Record<string, unknown> | null } }[];
}

export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly actions: readonly string[];
  /** Top-level attributes whose planned value differs from the state's. */
  readonly attributes: readonly string[];
}

/** The changes of a plan (`terraform show -json`), without no-ops and reads. */
export function plannedChanges(plan: PlanJson): PlannedChange[] {
  return (plan.resource_changes ?? [])
    .filter((c) => !(c.change.actions.length === 1 && ['no-op', 'read'].includes(c.change.actions[0]!)))
    .map((c) => {
      const before = c.change.before ?? {};
      const after = c.change.after ?? {};
      const attributes = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => after[k] !== undefined && !isDeepStrictEqual(before[k], after[k])).sort();
      return { address: c.address, type: c.type, actions: c.change.actions, attributes };
    });
}

/** A change is a moto gap only when it is an update and every attribute it touches is a read-back gap of its type. */
export function classifyChanges(changes: readonly PlannedChange[], gaps: readonly MotoGap[]): { drift: string[]; readBackGaps: GapHit[] } {
  const drift: string[] = [];
  const readBackGaps: GapHit[] = [];
  for (const change of changes) {
    const gapOf = (attribute: string) => gaps.find((g) => g.kind === 'read-back' && g.resourceType === change.type && g.attribute === attribute);
    const explained = change.actions.join() === 'update' && change.attributes.length > 0 && change.attributes.every((a) => gapOf(a) !== undefined);
    if (explained) for (const attribute of change.attributes) readBackGaps.push({ address: change.address, gap: gapOf(attribute)!, attribute });
    else drift.push(`${change.address}: ${change.attributes.join(', ') || 'replace'} (${change.actions.join('/')})`);
  }
  return { drift, readBackGaps };
}

export interface StackUpResult {
  /** The first step that failed, with why; undefined when every step passed. */
  readonly failed: { readonly step: string; readonly reason: string } | undefined;
  readonly applied: number;
  readonly planned: number;
  /** undefined: not reached. */
  readonly secondPlanEmpty: boolean | undefined;
  /** What the second plan would change that no moto gap explains: `address: attribute (action)`. */
  readonly drift: readonly string[];
  /** What it would change that a `read-back` gap explains. */
  readonly readBackGaps: readonly GapHit[];
  readonly outputs: Record<string, string>;
  readonly seconds: number;
}

export interface Terraform {
  readonly binary: string;
  readonly env: NodeJS.ProcessEnv;
  readonly logDir: string;
}

export function run(tf: Terraform, dir: string, args: readonly string[], logName: string, timeoutMs = 20 * 60_000): Promise<CommandResult> {
  const started = performance.now();
  // Written as it comes, so a slow step can be watched (tail -f) while it runs.
  const log = createWriteStream(join(tf.logDir, `${logName}.log`));
  log.write(`$ terraform ${args.join(' ')}\n`);
  return new Promise((resolve) => {
    const child = spawn(tf.binary, [`-chdir=${dir}`, ...args], { env: tf.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    const take = (c: Buffer) => {
      chunks.push(c);
      log.write(c);
    };
    child.stdout.on('data', take);
    child.stderr.on('data', take);
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    const finish = (code: number) => {
      clearTimeout(timer);
      log.end();
      resolve({ code, output: Buffer.concat(chunks).toString('utf8'), seconds: (performance.now() - started) / 1000 });
    };
    child.once('error', (error) => {
      take(Buffer.from(String(error)));
      finish(127);
    });
    child.once('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

/** Copies the synthesized stack into `workRoot/<stack>` and writes the override beside it. */
export function prepareStack(options: { stack: string; sourceDir: string; workRoot: string; endpoint: string; gaps: readonly MotoGap[] }): StackRun {
  const dir = join(options.workRoot, options.stack);
  cpSync(options.sourceDir, dir, { recursive: true });
  const json = JSON.parse(readFileSync(join(dir, 'cdk.tf.json'), 'utf8')) as StackJson;
  writeFileSync(join(dir, 'verify_override.tf.json'), JSON.stringify(overrideJson({ statePath: join(options.workRoot, `${options.stack}.tfstate`), endpoint: options.endpoint }), null, 2));
  const addresses = resourceAddresses(json);
  const excluded = exclusionsFor(json, options.gaps);
  const out = new Set(excluded.map((e) => e.address));
  return { stack: options.stack, dir, addresses, excluded, targets: out.size === 0 ? [] : addresses.filter((a) => !out.has(a)), gaps: options.gaps };
}

const firstError = (r: CommandResult) => {
  const errors = terraformErrors(r.output);
  if (errors.length === 0) return r.output.trim().split('\n').slice(-3).join(' ').slice(0, 400) || `exit code ${r.code}`;
  return errors.map((e) => (e.address ? `${e.address}: ${e.message}` : e.message)).join('; ');
};

/** Managed resources in the state (data sources left out). */
async function stateAddresses(tf: Terraform, stack: StackRun, logName: string): Promise<string[]> {
  const r = await run(tf, stack.dir, ['state', 'list'], logName);
  // Nothing applied yet (init or validate failed): no state, so nothing in it.
  if (r.code !== 0 && r.output.includes('No state file was found')) return [];
  if (r.code !== 0) throw new Error(`terraform state list failed in ${stack.dir}: ${r.output.trim().slice(0, 300)}`);
  return r.output.split('\n').map((l) => l.trim()).filter((l) => /^[a-z][a-z0-9_]*\.[A-Za-z0-9_-]+/.test(l) && !l.startsWith('data.'));
}

export async function stackUp(tf: Terraform, stack: StackRun): Promise<StackUpResult> {
  const started = performance.now();
  const targets = stack.targets.map((t) => `-target=${t}`);
  const result = (failed: StackUpResult['failed'], rest: Partial<StackUpResult> = {}): StackUpResult => ({
    failed,
    applied: 0,
    planned: 0,
    secondPlanEmpty: undefined,
    drift: [],
    readBackGaps: [],
    outputs: {},
    ...rest,
    seconds: (performance.now() - started) / 1000,
  });
  const name = (step: string) => `${stack.stack}-${step}`;

  const init = await run(tf, stack.dir, ['init', '-input=false', '-no-color'], name('1-init'));
  if (init.code !== 0) return result({ step: 'init', reason: firstError(init) });
  const validate = await run(tf, stack.dir, ['validate', '-no-color'], name('2-validate'));
  if (validate.code !== 0) return result({ step: 'validate', reason: firstError(validate) });
  const plan = await run(tf, stack.dir, ['plan', '-input=false', '-no-color', '-out=first.tfplan', ...targets], name('3-plan'));
  if (plan.code !== 0) return result({ step: 'plan', reason: firstError(plan) });
  const planned = Number(/Plan: (\d+) to add/.exec(plan.output)?.[1] ?? 0);
  const apply = await run(tf, stack.dir, ['apply', '-input=false', '-no-color', 'first.tfplan'], name('4-apply'));
  const applied = (await stateAddresses(tf, stack, name('4-state'))).length;
  if (apply.code !== 0) return result({ step: 'apply', reason: firstError(apply) }, { planned, applied });
  const second = await run(tf, stack.dir, ['plan', '-input=false', '-no-color', '-detailed-exitcode', '-out=second.tfplan', ...targets], name('5-second-plan'));
  if (second.code === 1) return result({ step: 'second plan', reason: firstError(second) }, { planned, applied });
  let changes: PlannedChange[] = [];
  if (second.code === 2) {
    const shown = await run(tf, stack.dir, ['show', '-json', 'second.tfplan'], name('5-second-plan-json'));
    changes = plannedChanges(JSON.parse(shown.output.slice(shown.output.indexOf('{'))) as PlanJson);
  }
  const { drift, readBackGaps } = classifyChanges(changes, stack.gaps);
  const outputs = await run(tf, stack.dir, ['output', '-json', '-no-color'], name('6-outputs'));
  const values: Record<string, string> = {};
  if (outputs.code === 0) {
    for (const [key, v] of Object.entries(JSON.parse(outputs.output) as Record<string, { value: unknown }>)) values[key] = String(v.value);
  }
  return result(drift.length > 0 ? { step: 'second plan', reason: `not empty: ${drift.join(', ')}` } : undefined, {
    planned,
    applied,
    secondPlanEmpty: drift.length === 0,
    drift,
    readBackGaps,
    outputs: values,
  });
}

export interface StackDownResult {
  readonly destroyClean: boolean;
  readonly reason: string | undefined;
  /** Resources moto cannot delete, taken out of the state before destroy. */
  readonly deleteGaps: readonly GapHit[];
  readonly seconds: number;
}

/**
 * Destroys what the stack applied; clean means Terraform succeeded and no managed resource
 * is left in its state. Resources of a `delete` gap are taken out of the state first.
 */
export async function stackDown(tf: Terraform, stack: StackRun): Promise<StackDownResult> {
  const started = performance.now();
  const targets = stack.targets.map((t) => `-target=${t}`);
  const inState = await stateAddresses(tf, stack, `${stack.stack}-7-state-before-destroy`);
  const deleteGaps = inState.flatMap((address) => {
    const gap = stack.gaps.find((g) => g.kind === 'delete' && address.startsWith(`${g.resourceType}.`));
    return gap ? [{ address, gap }] : [];
  });
  const seconds = () => (performance.now() - started) / 1000;
  if (deleteGaps.length > 0) {
    const removed = await run(tf, stack.dir, ['state', 'rm', '-no-color', ...deleteGaps.map((g) => g.address)], `${stack.stack}-7-state-rm`);
    if (removed.code !== 0) return { destroyClean: false, reason: `state rm failed: ${firstError(removed)}`, deleteGaps, seconds: seconds() };
  }
  const destroy = await run(tf, stack.dir, ['destroy', '-input=false', '-no-color', '-auto-approve', ...targets], `${stack.stack}-8-destroy`);
  const left = await stateAddresses(tf, stack, `${stack.stack}-9-state-after-destroy`);
  if (destroy.code !== 0) return { destroyClean: false, reason: firstError(destroy), deleteGaps, seconds: seconds() };
  if (left.length > 0) return { destroyClean: false, reason: `${left.length} resource(s) still in state: ${left.slice(0, 5).join(', ')}`, deleteGaps, seconds: seconds() };
  return { destroyClean: true, reason: undefined, deleteGaps, seconds: seconds() };
}

export function terraformEnv(options: { cliConfigFile: string; endpoint: string; region: string }): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TF_CLI_CONFIG_FILE: options.cliConfigFile,
    TF_IN_AUTOMATION: '1',
    CHECKPOINT_DISABLE: '1',
    // Any service the override does not name goes to moto too, never to AWS.
    AWS_ENDPOINT_URL: options.endpoint,
    AWS_ACCESS_KEY_ID: 'verify',
    AWS_SECRET_ACCESS_KEY: 'verify',
    AWS_REGION: options.region,
    AWS_EC2_METADATA_DISABLED: 'true',
    // S3 Control puts the account id in front of the endpoint's host (123456789012.127.0.0.1:PORT),
    // a name no resolver knows offline. Go sends a request for such a name through HTTP_PROXY, and
    // moto answers a proxy-form request itself (it routes /v20180820/ to S3 Control); a request
    // for 127.0.0.1 itself never goes through a proxy (Go's rule for loopback addresses).
    HTTP_PROXY: options.endpoint,
  };
}

export interface StateResource {
  readonly address: string;
  readonly type: string;
  readonly values: Record<string, unknown>;
}

/** The managed resources in the stack's state, with the attributes the provider read back from the API. */
export async function stateResources(tf: Terraform, stack: StackRun): Promise<StateResource[]> {
  const shown = await run(tf, stack.dir, ['show', '-json', '-no-color'], `${stack.stack}-6-state-json`);
  if (shown.code !== 0) return [];
  const state = JSON.parse(shown.output.slice(shown.output.indexOf('{'))) as { values?: { root_module?: { resources?: (StateResource & { mode: string })[] } } };
  return (state.values?.root_module?.resources ?? []).filter((r) => r.mode === 'managed');
}

/** Lifts what a `blocks-sdk` gap names (today: bucket policies, deleted through S3's API) and says which. */
export async function liftSdkBlockers(tf: Terraform, stack: StackRun): Promise<GapHit[]> {
  const hits: GapHit[] = [];
  for (const resource of await stateResources(tf, stack)) {
    const gap = stack.gaps.find((g) => g.kind === 'blocks-sdk' && g.resourceType === resource.type);
    if (!gap) continue;
    if (resource.type !== 'aws_s3_bucket_policy') throw new Error(`no way to lift ${resource.type} (verify/moto-gaps.ts)`);
    await new S3Client({}).send(new DeleteBucketPolicyCommand({ Bucket: String(resource.values.bucket) }));
    hits.push({ address: resource.address, gap });
  }
  return hits;
}

/** The stack's buckets in its state: address and bucket name. */
async function stateBuckets(tf: Terraform, stack: StackRun): Promise<{ address: string; bucket: string }[]> {
  return (await stateResources(tf, stack)).filter((r) => r.type === 'aws_s3_bucket').map((r) => ({ address: r.address, bucket: String(r.values.bucket) }));
}

/**
 * The one workaround of the forced teardown (moto gap `force-destroy`, verify/moto-gaps.ts):
 * deletes each bucket's delete markers through S3's API while its versioning is still on, and
 * nothing else. Every object version is left for the provider's `force_destroy`, which deletes
 * them after Terraform has suspended the versioning, where moto 5.2.5 fails on a delete marker.
 */
export async function deleteDeleteMarkers(tf: Terraform, stack: StackRun, s3: S3Client = new S3Client({})): Promise<GapHit[]> {
  const gap = stack.gaps.find((g) => g.kind === 'force-destroy' && g.resourceType === 'aws_s3_bucket');
  if (!gap) return [];
  const hits: GapHit[] = [];
  for (const { address, bucket: Bucket } of await stateBuckets(tf, stack)) {
    let deleted = 0;
    for (let KeyMarker: string | undefined, VersionIdMarker: string | undefined; ; ) {
      const page = await s3.send(new ListObjectVersionsCommand({ Bucket, KeyMarker, VersionIdMarker }));
      const markers = (page.DeleteMarkers ?? []).map((m) => ({ Key: m.Key!, VersionId: m.VersionId }));
      for (let i = 0; i < markers.length; i += 1000) {
        const answer = await s3.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: markers.slice(i, i + 1000) } }));
        if (answer.Errors?.length) throw new Error(`deleting the delete markers of s3://${Bucket}: ${answer.Errors.map((e) => `${e.Key}: ${e.Code}`).join(', ')}`);
      }
      deleted += markers.length;
      if (!page.IsTruncated) break;
      [KeyMarker, VersionIdMarker] = [page.NextKeyMarker, page.NextVersionIdMarker];
    }
    if (deleted > 0) hits.push({ address, gap, attribute: undefined, count: deleted });
  }
  return hits;
}

/**
 * What the forced synth (`BREWLAKE_FORCE_DESTROY=1`) changes in a stack: the addresses of the
 * buckets it switches to `force_destroy`. Anything else differing (the backend aside, which the
 * verify override replaces) is an error: the forced teardown must destroy what was applied.
 */
export function forceDestroyChanges(applied: StackJson, forced: StackJson): string[] {
  const comparable = (json: StackJson, forceDestroy: boolean) => {
    const copy = structuredClone(json) as StackJson & { terraform?: { backend?: unknown } };
    if (copy.terraform) delete copy.terraform.backend;
    for (const bucket of Object.values(copy.resource?.aws_s3_bucket ?? {})) (bucket as { force_destroy?: boolean }).force_destroy = forceDestroy;
    return copy;
  };
  if (!isDeepStrictEqual(comparable(applied, true), comparable(forced, true))) throw new Error('the forced synth differs from the applied stack in more than its buckets\' force_destroy');
  return Object.entries(forced.resource?.aws_s3_bucket ?? {})
    .filter(([name, body]) => (body as { force_destroy?: boolean }).force_destroy === true && (applied.resource?.aws_s3_bucket?.[name] as { force_destroy?: boolean } | undefined)?.force_destroy !== true)
    .map(([name]) => `aws_s3_bucket.${name}`);
}

export interface ForceDestroyRecorded {
  readonly ok: boolean;
  readonly reason: string | undefined;
  /** The buckets whose force_destroy the targeted apply recorded. */
  readonly buckets: readonly string[];
}

/**
 * `make destroy`'s forced path, as stacks/deploy.sh runs it: the forced synth's JSON takes the
 * applied one's place, then `apply -target` on the buckets only records `force_destroy` in the
 * state (an update in place: anything added or destroyed fails), so that the destroy after it
 * deletes every object version with its bucket.
 */
export async function recordForceDestroy(tf: Terraform, stack: StackRun, forcedJsonPath: string): Promise<ForceDestroyRecorded> {
  const jsonPath = join(stack.dir, 'cdk.tf.json');
  const forcedText = readFileSync(forcedJsonPath, 'utf8');
  const buckets = forceDestroyChanges(JSON.parse(readFileSync(jsonPath, 'utf8')) as StackJson, JSON.parse(forcedText) as StackJson);
  if (buckets.length === 0) return { ok: false, reason: 'the forced synth sets force_destroy on no bucket', buckets };
  writeFileSync(jsonPath, forcedText);
  const apply = await run(tf, stack.dir, ['apply', '-input=false', '-no-color', '-auto-approve', ...buckets.map((b) => `-target=${b}`)], `${stack.stack}-7-force-destroy-apply`);
  if (apply.code !== 0) return { ok: false, reason: `apply -target on the buckets failed: ${firstError(apply)}`, buckets };
  const counts = /Resources: (\d+) added, (\d+) changed, (\d+) destroyed/.exec(apply.output);
  if (!counts || counts[1] !== '0' || counts[3] !== '0' || Number(counts[2]) !== buckets.length) {
    return { ok: false, reason: `apply -target on the buckets should change exactly the ${buckets.length} bucket(s) in place: ${counts?.[0] ?? 'no summary line'}`, buckets };
  }
  return { ok: true, reason: undefined, buckets };
}

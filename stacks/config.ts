/**
 * The deployment's settings, in one typed place. Every setting has a default that deploys
 * as it is; each can be changed by an environment variable (docs/deploy.md, "Settings", lists
 * them), and a bad value stops the synth with the setting's name and what it accepts.
 */
import { isZoneFormat, zoneFormatEnv, zoneFormatExpected, type ConvertibleZone, type ZoneFormat } from '../glue/zone-formats';

export interface StackConfig {
  /** Prefix of every resource name, e.g. `brewlake` → `brewlake-beers`. */
  readonly namePrefix: string;
  readonly region: string;
  /** EventBridge schedule of the ingest Lambda. */
  readonly schedule: string;
  /** `bundled` (the catalogue inside the Lambda; the public PunkAPI is gone) or a PunkAPI base URL. */
  readonly ingestSource: string;
  /** `random` (one beer a tick), `random:N` or `backfill`. */
  readonly ingestMode: string;
  /** 0: on-demand capacity; N: provisioned with N shards. */
  readonly kinesisShards: number;
  /** Firehose buffering hints for the raw and cleaned zones. */
  readonly buffer: { readonly sizeMb: number; readonly intervalSeconds: number };
  /** The transform processor's own buffering (Firehose's Lambda invocation batch). */
  readonly processorBuffer: { readonly sizeMb: number; readonly intervalSeconds: number };
  /** The cleaned zone: `parquet` (converted by Firehose through the Glue table; the default) or `json` (JSON lines, as locally unless set). */
  readonly cleanedFormat: ZoneFormat;
  /** The prediction log's zone, the same choice for the Direct PUT stream. */
  readonly predictionLogFormat: ZoneFormat;
  /** Athena stops a query that would scan more than this many bytes (a whole number, at least Athena's 10 MB minimum). */
  readonly athenaBytesScannedCutoff: number;
  /** Alarms are e-mailed here when set. */
  readonly alarmEmail: string | undefined;
  readonly logRetentionDays: number;
  /** Reserved concurrency of the public serving Lambda: its ceiling, so a flood cannot run up the bill or starve the account; `undefined` = unreserved. */
  readonly serveReservedConcurrency: number | undefined;
  /** `/predict` is public unless this is set: then it needs the admin token, like /retrain. */
  readonly requireTokenForPredict: boolean;
  /** Where Terraform keeps each stack's state. */
  readonly state: StateBackendConfig;
  /** Buckets are deleted with every object version in them (an explicit opt-in for `make destroy`). */
  readonly forceDestroy: boolean;
}

/**
 * `local` (the default, for trying things out): `.brewlake/state/<region>/<stack>.tfstate` in the
 * checkout, referenced relatively so the checkout can move. `s3` (a team, CI): one object per
 * region and stack under the key prefix (`<prefix>/<region>/<stack>.tfstate`), locked with S3's native lock file (Terraform >= 1.10; cdktn requires OpenTofu >= 1.10 for it).
 */
export type StateBackendConfig =
  | { readonly kind: 'local' }
  | { readonly kind: 's3'; readonly bucket: string; readonly keyPrefix: string; readonly region: string };

export class StackConfigError extends Error {
  override readonly name = 'StackConfigError';
  constructor(readonly variable: string, reason: string) {
    super(`${variable}: ${reason}`);
  }
}

export const stackConfigEnv = {
  namePrefix: 'BREWLAKE_NAME_PREFIX',
  region: 'AWS_REGION',
  schedule: 'BREWLAKE_SCHEDULE',
  ingestSource: 'BREWLAKE_SOURCE',
  ingestMode: 'BREWLAKE_MODE',
  kinesisShards: 'BREWLAKE_KINESIS_SHARDS',
  bufferSizeMb: 'BREWLAKE_BUFFER_MB',
  bufferIntervalSeconds: 'BREWLAKE_BUFFER_SECONDS',
  // One name in both worlds: the local delivery loops read the same variables (glue/zone-formats.ts).
  cleanedFormat: zoneFormatEnv.cleaned,
  predictionLogFormat: zoneFormatEnv.prediction_log,
  athenaScanLimitGb: 'BREWLAKE_ATHENA_SCAN_LIMIT_GB',
  alarmEmail: 'BREWLAKE_ALARM_EMAIL',
  logRetentionDays: 'BREWLAKE_LOG_RETENTION_DAYS',
  serveReservedConcurrency: 'BREWLAKE_SERVE_CONCURRENCY',
  requireTokenForPredict: 'BREWLAKE_REQUIRE_TOKEN_FOR_PREDICT',
  stateBucket: 'BREWLAKE_STATE_BUCKET',
  stateKeyPrefix: 'BREWLAKE_STATE_PREFIX',
  stateRegion: 'BREWLAKE_STATE_REGION',
  forceDestroy: 'BREWLAKE_FORCE_DESTROY',
} as const;

// CloudWatch Logs accepts only these retention periods.
const retentionDays = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

export function readStackConfig(env: Record<string, string | undefined> = process.env): StackConfig {
  const text = (key: keyof typeof stackConfigEnv, fallback: string) => env[stackConfigEnv[key]]?.trim() || fallback;
  const number = (key: keyof typeof stackConfigEnv, fallback: number, ok: (n: number) => boolean, accepts: string) => {
    const raw = env[stackConfigEnv[key]]?.trim();
    if (!raw) return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || !ok(n)) throw new StackConfigError(stackConfigEnv[key], `expected ${accepts}, got ${JSON.stringify(raw)}`);
    return n;
  };

  const namePrefix = text('namePrefix', 'brewlake');
  if (!/^[a-z][a-z0-9-]{1,20}$/.test(namePrefix)) throw new StackConfigError(stackConfigEnv.namePrefix, 'expected 2-21 lower-case letters, digits or dashes, starting with a letter');
  const schedule = text('schedule', 'rate(5 minutes)');
  if (!/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/.test(schedule)) throw new StackConfigError(stackConfigEnv.schedule, `expected rate(N minutes|hours|days) or cron(...), got ${JSON.stringify(schedule)}`);
  const ingestSource = text('ingestSource', 'bundled');
  if (ingestSource !== 'bundled' && !/^https?:\/\/\S+$/.test(ingestSource)) throw new StackConfigError(stackConfigEnv.ingestSource, `expected "bundled" or an http(s) base URL, got ${JSON.stringify(ingestSource)}`);
  const ingestMode = text('ingestMode', 'random');
  if (!/^(random|random:\d+|backfill)$/.test(ingestMode)) throw new StackConfigError(stackConfigEnv.ingestMode, `expected random, random:N or backfill, got ${JSON.stringify(ingestMode)}`);
  // Parquet by default: Athena bills the bytes it scans, every saved query reads the cleaned
  // zone whole, and the prediction log grows fastest (docs/deploy.md, "Columnar zones").
  const zoneFormat = (key: 'cleanedFormat' | 'predictionLogFormat'): ZoneFormat => {
    const format = text(key, 'parquet');
    if (!isZoneFormat(format)) throw new StackConfigError(stackConfigEnv[key], `${zoneFormatExpected}, got ${JSON.stringify(format)}`);
    return format;
  };
  const alarmEmail = env[stackConfigEnv.alarmEmail]?.trim() || undefined;
  if (alarmEmail && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(alarmEmail)) throw new StackConfigError(stackConfigEnv.alarmEmail, `expected an e-mail address, got ${JSON.stringify(alarmEmail)}`);

  const concurrency = env[stackConfigEnv.serveReservedConcurrency]?.trim() || '10';
  if (concurrency !== 'off' && !/^\d+$/.test(concurrency)) throw new StackConfigError(stackConfigEnv.serveReservedConcurrency, `expected a whole number of concurrent executions from 1 to 1000, or off, got ${JSON.stringify(concurrency)}`);
  const serveReservedConcurrency = concurrency === 'off' ? undefined : Number(concurrency);
  // 0 would stop the function answering at all: refused rather than deployed silently dead.
  if (serveReservedConcurrency !== undefined && (serveReservedConcurrency < 1 || serveReservedConcurrency > 1000)) throw new StackConfigError(stackConfigEnv.serveReservedConcurrency, `expected a whole number of concurrent executions from 1 to 1000, or off, got ${JSON.stringify(concurrency)}`);
  const requireToken = env[stackConfigEnv.requireTokenForPredict]?.trim().toLowerCase() || 'false';
  if (requireToken !== 'true' && requireToken !== 'false') throw new StackConfigError(stackConfigEnv.requireTokenForPredict, `expected true or false, got ${JSON.stringify(requireToken)}`);
  const region = text('region', defaultRegion);
  if (!awsRegionPattern.test(region)) throw new StackConfigError(stackConfigEnv.region, `expected an AWS region such as eu-west-1, got ${JSON.stringify(region)}`);
  const state = readStateBackend(env, region);
  const forceDestroy = env[stackConfigEnv.forceDestroy]?.trim() || '0';
  if (forceDestroy !== '0' && forceDestroy !== '1') throw new StackConfigError(stackConfigEnv.forceDestroy, `expected 1 (delete buckets with their objects) or 0, got ${JSON.stringify(forceDestroy)}`);

  return {
    namePrefix,
    region,
    schedule,
    ingestSource,
    ingestMode,
    kinesisShards: number('kinesisShards', 0, (n) => Number.isInteger(n) && n >= 0 && n <= 500, 'a whole number of shards from 0 (on-demand) to 500'),
    buffer: {
      sizeMb: number('bufferSizeMb', 5, (n) => Number.isInteger(n) && n >= 1 && n <= 128, 'whole MiB from 1 to 128'),
      intervalSeconds: number('bufferIntervalSeconds', 300, (n) => Number.isInteger(n) && n >= 0 && n <= 900, 'whole seconds from 0 to 900'),
    },
    processorBuffer: { sizeMb: 1, intervalSeconds: 60 },
    cleanedFormat: zoneFormat('cleanedFormat'),
    predictionLogFormat: zoneFormat('predictionLogFormat'),
    // Athena takes whole bytes: a fractional GB (0.3) rounds to the nearest byte.
    athenaBytesScannedCutoff: Math.round(number('athenaScanLimitGb', 10, (n) => n >= 0.01 && n <= 1024, 'GB from 0.01 to 1024') * 1024 ** 3),
    alarmEmail,
    logRetentionDays: number('logRetentionDays', 30, (n) => retentionDays.includes(n), `one of ${retentionDays.join(', ')}`),
    serveReservedConcurrency,
    requireTokenForPredict: requireToken === 'true',
    state,
    forceDestroy: forceDestroy === '1',
  };
}

/** The format a table's zone is delivered in: the convertible zones as configured, the others JSON lines. */
export function zoneFormatOf(config: Pick<StackConfig, 'cleanedFormat' | 'predictionLogFormat'>, tableName: string): ZoneFormat {
  const configured: Record<ConvertibleZone, ZoneFormat> = { cleaned: config.cleanedFormat, prediction_log: config.predictionLogFormat };
  return Object.hasOwn(configured, tableName) ? configured[tableName as ConvertibleZone] : 'json';
}

/** The region both stacks deploy to when AWS_REGION is unset; stacks/deploy.sh reads the synthesized one. */
export const defaultRegion = 'eu-west-1';
const awsRegionPattern = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;

function readStateBackend(env: Record<string, string | undefined>, region: string): StateBackendConfig {
  const bucket = env[stackConfigEnv.stateBucket]?.trim();
  const prefix = env[stackConfigEnv.stateKeyPrefix]?.trim();
  const stateRegion = env[stackConfigEnv.stateRegion]?.trim();
  if (!bucket) {
    // A prefix or region without a bucket would be silently ignored: say so instead.
    if (prefix || stateRegion) throw new StackConfigError(stackConfigEnv.stateBucket, `needed when ${prefix ? stackConfigEnv.stateKeyPrefix : stackConfigEnv.stateRegion} is set (the S3 state backend); unset both for the local state in .brewlake/state/`);
    return { kind: 'local' };
  }
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes('..')) throw new StackConfigError(stackConfigEnv.stateBucket, `expected an S3 bucket name (3-63 lower-case letters, digits, dots, dashes), got ${JSON.stringify(bucket)}`);
  const keyPrefix = (prefix ?? 'brewlake').replace(/^\/+|\/+$/g, '');
  if (!/^[A-Za-z0-9!_.*'()/-]{1,200}$/.test(keyPrefix)) throw new StackConfigError(stackConfigEnv.stateKeyPrefix, `expected an S3 key prefix of letters, digits and !_.*'()/-, got ${JSON.stringify(prefix)}`);
  const backendRegion = stateRegion || region;
  if (!awsRegionPattern.test(backendRegion)) throw new StackConfigError(stackConfigEnv.stateRegion, `expected an AWS region such as eu-west-1, got ${JSON.stringify(backendRegion)}`);
  return { kind: 's3', bucket, keyPrefix, region: backendRegion };
}

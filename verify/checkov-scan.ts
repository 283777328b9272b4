/**
 * checkov over the synthesized Terraform JSON (`cdktf.out/`). Every failed check is either
 * fixed in the stacks or suppressed in verify/checkov-skips.json, one reviewed reason per
 * check id; what is left fails `make verify_aws`. A suppression no check needs any more is
 * reported too, so the list cannot quietly outlive its reasons.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CheckovFinding {
  readonly checkId: string;
  readonly checkName: string;
  /** e.g. `stacks/brewlake-lake/cdk.tf.json` */
  readonly file: string;
  readonly resource: string;
}

export interface CheckovReport {
  readonly passed: number;
  readonly failed: readonly CheckovFinding[];
  /** Files checkov could not parse: their resources were not checked at all. */
  readonly parsingErrors: number;
}

/** check id → why it does not apply to brewlake. */
export type CheckovSkips = Readonly<Record<string, string>>;

export interface CheckovVerdict {
  readonly passed: number;
  /** Failed and not suppressed: each is a failure of verify_aws. */
  readonly failed: readonly CheckovFinding[];
  readonly suppressed: readonly (CheckovFinding & { readonly reason: string })[];
  /** Suppressions no finding matched. */
  readonly unusedSkips: readonly string[];
}

export class CheckovSkipsInvalid extends Error {
  override readonly name = 'CheckovSkipsInvalid';
}

export function parseCheckovSkips(text: string, source: string): CheckovSkips {
  const json = JSON.parse(text) as unknown;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new CheckovSkipsInvalid(`${source}: expected an object of check id → reason`);
  for (const [id, reason] of Object.entries(json)) {
    if (id.startsWith('//')) continue;
    if (!/^CKV2?_[A-Z0-9]+_\d+$/.test(id)) throw new CheckovSkipsInvalid(`${source}: ${JSON.stringify(id)} is not a checkov check id (CKV_AWS_123)`);
    if (typeof reason !== 'string' || reason.trim().length < 10 || reason.includes('\n')) throw new CheckovSkipsInvalid(`${source}: ${id} needs a one-line reason`);
  }
  return Object.fromEntries(Object.entries(json).filter(([id]) => !id.startsWith('//'))) as CheckovSkips;
}

interface CheckovJson {
  readonly summary?: { readonly passed?: number; readonly parsing_errors?: number };
  readonly results?: { readonly failed_checks?: readonly { check_id: string; check_name: string; file_path: string; resource: string }[] };
}

/** checkov's `-o json`: one object per framework (an array when several ran). */
export function parseCheckovOutput(text: string): CheckovReport {
  const parsed = JSON.parse(text) as CheckovJson | CheckovJson[];
  const reports = Array.isArray(parsed) ? parsed : [parsed];
  return {
    passed: reports.reduce((n, r) => n + (r.summary?.passed ?? 0), 0),
    failed: reports.flatMap((r) =>
      (r.results?.failed_checks ?? []).map((f) => ({ checkId: f.check_id, checkName: f.check_name, file: f.file_path.replace(/^\//, ''), resource: f.resource })),
    ),
    parsingErrors: reports.reduce((n, r) => n + (r.summary?.parsing_errors ?? 0), 0),
  };
}

/** Why a report checked less than the stacks hold (a file it could not parse, no check run at all); undefined when it checked them. */
export function incompleteScan(report: CheckovReport): string | undefined {
  if (report.parsingErrors > 0) return `checkov could not parse ${report.parsingErrors} file(s), so their resources were not checked`;
  if (report.passed + report.failed.length === 0) return 'checkov ran no check at all';
  return undefined;
}

/**
 * checkov 3.3.30's terraform_json parser takes every key of the `terraform` block for a block
 * and stops on a string (`Exception: this method receives only dicts`), so the stacks'
 * `required_version` would leave their whole file unchecked. The scan reads a copy of each
 * `stacks/<stack>/cdk.tf.json` (same relative paths) without that one key, which no check reads.
 */
export function checkovReadableCopy(outdir: string, into = mkdtempSync(join(tmpdir(), 'checkov-input-'))): string {
  for (const stack of readdirSync(join(outdir, 'stacks'))) {
    const json = JSON.parse(readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8')) as { terraform?: Record<string, unknown> };
    if (json.terraform) delete json.terraform.required_version;
    mkdirSync(join(into, 'stacks', stack), { recursive: true });
    writeFileSync(join(into, 'stacks', stack, 'cdk.tf.json'), JSON.stringify(json, null, 2));
  }
  return into;
}

export function applySkips(report: CheckovReport, skips: CheckovSkips): CheckovVerdict {
  const used = new Set<string>();
  const failed: CheckovFinding[] = [];
  const suppressed: (CheckovFinding & { reason: string })[] = [];
  for (const finding of report.failed) {
    const reason = skips[finding.checkId];
    if (reason === undefined) failed.push(finding);
    else {
      used.add(finding.checkId);
      suppressed.push({ ...finding, reason });
    }
  }
  return { passed: report.passed, failed, suppressed, unusedSkips: Object.keys(skips).filter((id) => !used.has(id)) };
}

export type CheckovRun = { readonly ok: true; readonly report: CheckovReport; readonly seconds: number } | { readonly ok: false; readonly reason: string; readonly seconds: number };

/** checkov over the synthesized output folder (`cdktf.out`), through checkovReadableCopy. */
export function runCheckov(binary: string, outdir: string): CheckovRun {
  const started = performance.now();
  const dir = checkovReadableCopy(outdir);
  // --skip-download: no calls to Prisma Cloud (offline); terraform_json reads cdk.tf.json as Terraform.
  const r = spawnSync(binary, ['-d', dir, '--framework', 'terraform_json', '-o', 'json', '--quiet', '--compact', '--skip-download'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, BC_SKIP_MAPPING: 'TRUE' },
  });
  rmSync(dir, { recursive: true, force: true });
  const seconds = (performance.now() - started) / 1000;
  // checkov exits 1 when a check fails: that is a result, not an error; no JSON is.
  let report: CheckovReport;
  try {
    report = parseCheckovOutput(r.stdout);
  } catch {
    return { ok: false, reason: `checkov gave no JSON (exit ${r.status}): ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-2).join(' ')}`, seconds };
  }
  const incomplete = incompleteScan(report);
  return incomplete ? { ok: false, reason: `${incomplete}: ${(r.stderr || '').trim().split('\n').slice(-1)[0] ?? ''}`, seconds } : { ok: true, report, seconds };
}

export const readCheckovSkips = (path: string) => parseCheckovSkips(readFileSync(path, 'utf8'), path);

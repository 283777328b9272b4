import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readStackConfig } from '../stacks/config';
import { buildApp, stackIds } from '../stacks/main';
import { applySkips, checkovReadableCopy, CheckovSkipsInvalid, incompleteScan, parseCheckovOutput, parseCheckovSkips, readCheckovSkips, runCheckov } from './checkov-scan';
import { repoRoot } from '../stacks/lambda-bundle';

const failed = (id: string, resource: string) => ({ check_id: id, check_name: `check ${id}`, file_path: '/stacks/brewlake-lake/cdk.tf.json', resource });
const output = { check_type: 'terraform_json', results: { failed_checks: [failed('CKV_AWS_18', 'aws_s3_bucket.lake'), failed('CKV_AWS_18', 'aws_s3_bucket.models'), failed('CKV_AWS_300', 'resource.lifecycle')] }, summary: { passed: 40, failed: 3 } };

describe('checkov verdicts', () => {
  it('reads one framework (an object) or several (an array), and a summary-only answer', () => {
    expect(parseCheckovOutput(JSON.stringify(output)).failed).toHaveLength(3);
    expect(parseCheckovOutput(JSON.stringify([output, output])).passed).toBe(80);
    expect(parseCheckovOutput(JSON.stringify({ passed: 0, failed: 0 }))).toEqual({ passed: 0, failed: [], parsingErrors: 0 });
  });

  it('a failed check is suppressed only by its id in the list; what is left fails; a suppression nothing needs is named', () => {
    const verdict = applySkips(parseCheckovOutput(JSON.stringify(output)), { CKV_AWS_18: 'server access logs need a second bucket', CKV_AWS_50: 'tracing is optional cost' });
    expect(verdict.suppressed.map((s) => s.resource)).toEqual(['aws_s3_bucket.lake', 'aws_s3_bucket.models']);
    expect(verdict.failed.map((f) => f.checkId)).toEqual(['CKV_AWS_300']);
    expect(verdict.failed[0]!.file).toBe('stacks/brewlake-lake/cdk.tf.json');
    expect(verdict.unusedSkips).toEqual(['CKV_AWS_50']);
  });

  it('refuses a list entry that is not a check id or has no one-line reason', () => {
    expect(() => parseCheckovSkips('{"CKV_AWS_18": ""}', 'x.json')).toThrow(CheckovSkipsInvalid);
    expect(() => parseCheckovSkips('{"CKV_AWS_18": "two\\nlines of reasons"}', 'x.json')).toThrow(/one-line reason/);
    expect(() => parseCheckovSkips('{"aws_s3_bucket": "a reason long enough"}', 'x.json')).toThrow(/not a checkov check id/);
    expect(() => parseCheckovSkips('[]', 'x.json')).toThrow(CheckovSkipsInvalid);
  });

  it("the repository's list is valid, every entry with its reason", () => {
    const path = new URL('./checkov-skips.json', import.meta.url).pathname;
    const skips = readCheckovSkips(path);
    expect(Object.keys(skips).length).toBeGreaterThan(0);
    expect(Object.keys(JSON.parse(readFileSync(path, 'utf8'))).filter((k) => !k.startsWith('//'))).toEqual(Object.keys(skips));
  });
});

describe("the reviewed list's reasons say what the stacks are", () => {
  const skips = readCheckovSkips(new URL('./checkov-skips.json', import.meta.url).pathname);
  const outdir = mkdtempSync(join(tmpdir(), 'checkov-reasons-'));
  buildApp(readStackConfig({}), outdir).synth();
  const resources = Object.values(stackIds).map((id) => JSON.parse(readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8')).resource as Record<string, Record<string, Record<string, unknown>>>);
  const functions = resources.flatMap((r) => Object.values(r.aws_lambda_function ?? {}));
  const shortName = (f: Record<string, unknown>) => String(f.function_name).replace(/^brewlake-/, '');

  it('CKV_AWS_115 (reserved concurrency) names every Lambda that fails it, and only those are said to lack it', () => {
    const unreserved = functions.filter((f) => f.reserved_concurrent_executions === undefined).map(shortName);
    const reserved = functions.filter((f) => f.reserved_concurrent_executions !== undefined).map(shortName);
    expect(unreserved.sort()).toEqual(['ingest', 'transform']);
    expect(reserved).toEqual(['serve']);
    for (const name of unreserved) expect(skips.CKV_AWS_115).toContain(name);
    expect(skips.CKV_AWS_115).toMatch(/serving Lambda has it/);
  });

  it('no reason leans on a crawler while the stacks define none', () => {
    expect(resources.some((r) => r.aws_glue_crawler !== undefined)).toBe(false);
    for (const [id, reason] of Object.entries(skips)) expect(reason.match(/\b(?<!no )crawlers?\b/g) ?? [], id).toEqual([]);
  });
});

describe('a scan that checked less than the stacks is a failure, never a pass', () => {
  const summary = (parsing_errors: number, passed: number) => parseCheckovOutput(JSON.stringify({ check_type: 'terraform_json', results: { failed_checks: [] }, summary: { passed, failed: 0, parsing_errors } }));

  it('names unparsed files and an empty scan (what checkov 3.3.30 reported, as a pass, on a string in the terraform block)', () => {
    expect(incompleteScan(summary(2, 0))).toMatch(/could not parse 2 file\(s\)/);
    expect(incompleteScan(summary(1, 96))).toMatch(/could not parse 1 file\(s\)/);
    expect(incompleteScan(summary(0, 0))).toMatch(/no check at all/);
    expect(incompleteScan(summary(0, 96))).toBeUndefined();
  });

  it("the scanned copy leaves out required_version (checkov 3.3.30 cannot parse it) and nothing else", () => {
    const outdir = mkdtempSync(join(tmpdir(), 'checkov-copy-'));
    buildApp(readStackConfig({}), outdir).synth();
    const copy = checkovReadableCopy(outdir);
    for (const id of Object.values(stackIds)) {
      const original = JSON.parse(readFileSync(join(outdir, 'stacks', id, 'cdk.tf.json'), 'utf8'));
      expect(original.terraform.required_version).toBeDefined();
      delete original.terraform.required_version;
      expect(JSON.parse(readFileSync(join(copy, 'stacks', id, 'cdk.tf.json'), 'utf8'))).toEqual(original);
    }
  });

  it('checkov itself parses both synthesized stacks and checks their resources', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'checkov-run-'));
    buildApp(readStackConfig({}), outdir).synth();
    const run = runCheckov(join(repoRoot, '.venv', 'bin', 'checkov'), outdir);
    expect(run.ok, run.ok ? '' : run.reason).toBe(true);
    if (run.ok) expect(run.report.passed + run.report.failed.length).toBeGreaterThan(100);
  }, 180_000);
});

/**
 * The AWS side: how long `make synth` takes (all stacks, every Lambda bundled), measured
 * against bundling the Lambdas alone in the same run; and each Lambda's zipped bundle, the
 * archive Terraform uploads, against its size limit.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStackConfig } from '../stacks/config';
import { bundleLambda, lambdaEntries, type LambdaName } from '../stacks/lambda-bundle';
import { buildApp } from '../stacks/main';
import { fmt, type Bench, type BenchRow } from './table';

const sizeLimitKb: Record<LambdaName, number> = { ingest: 300, transform: 300, serve: 500 };

function findZips(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? findZips(join(dir, e.name)) : e.name.endsWith('.zip') ? [join(dir, e.name)] : [],
  );
}

export const stacksBench: Bench = {
  title: 'stacks',
  async run() {
    const outdir = mkdtempSync(join(tmpdir(), 'brewlake-synth-'));
    try {
      const bundleStarted = performance.now();
      for (const name of Object.keys(lambdaEntries) as LambdaName[]) bundleLambda(name, join(outdir, 'bundles'));
      const bundleMs = performance.now() - bundleStarted;
      const started = performance.now();
      buildApp(readStackConfig({}), join(outdir, 'synth')).synth();
      const synthMs = performance.now() - started;
      const rows: BenchRow[] = [
        { name: 'synth, both stacks', value: fmt.ms(synthMs), reference: `bundling alone ${fmt.ms(bundleMs)}`, target: 'reported', pass: true },
      ];
      const zips = findZips(join(outdir, 'synth'));
      for (const name of Object.keys(lambdaEntries) as LambdaName[]) {
        const zip = zips.find((z) => z.includes(`${name}_bundle`));
        const bytes = zip ? statSync(zip).size : Number.NaN;
        const limit = sizeLimitKb[name] * 1024;
        rows.push({ name: `${name} Lambda, zipped`, value: fmt.kb(bytes), reference: `limit ${sizeLimitKb[name]} KB`, target: `<= ${sizeLimitKb[name]} KB`, pass: bytes <= limit });
      }
      return rows;
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  },
};

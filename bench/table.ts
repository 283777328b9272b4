/**
 * What every benchmark returns: measurements, each next to a reference measured in the
 * same run (machines here are noisy, so a ratio is the number that means something).
 */
export interface BenchRow {
  /** What was measured, e.g. `transform 6 MB batch`. */
  readonly name: string;
  /** The measurement with its unit, e.g. `142 ms`, `31,200 records/s`. */
  readonly value: string;
  /** The reference from the same run, e.g. `floor 118 ms`; empty for absolute targets. */
  readonly reference: string;
  /** value / reference (or the absolute measure when there is no reference). */
  readonly ratio: string;
  /** The target, e.g. `<= 1.5x`. */
  readonly target: string;
  readonly pass: boolean;
}

export interface Bench {
  readonly title: string;
  run(): Promise<BenchRow[]>;
}

export function formatTable(rows: readonly BenchRow[]): string {
  const header = ['benchmark', 'value', 'reference', 'ratio', 'target', 'ok'];
  const cells = rows.map((r) => [r.name, r.value, r.reference, r.ratio, r.target, r.pass ? 'yes' : 'NO']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]) => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.map(line)].join('\n');
}

export const fmt = {
  ms: (ms: number) => `${ms < 10 ? ms.toFixed(2) : ms.toFixed(0)} ms`,
  count: (n: number) => n.toLocaleString('en-US'),
  rate: (perSecond: number, unit: string) => `${Math.round(perSecond).toLocaleString('en-US')} ${unit}/s`,
  ratio: (x: number) => `${x.toFixed(2)}x`,
  kb: (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`,
};

/**
 * What every benchmark returns: measurements, each next to a reference measured in the
 * same run (machines here are noisy, so a ratio is the number that means something).
 *
 * A row gives no ratio of its own: the table prints the printed value ÷ the printed
 * reference (`shownRatio`), and a target on the ratio is judged on that same number, so a
 * reader who divides the two columns gets the ratio the row shows and was judged by.
 */
export interface BenchRow {
  /** What was measured, e.g. `transform 6 MB batch`. */
  readonly name: string;
  /** The measurement with its unit, e.g. `142 ms`, `31,200 records/s`. */
  readonly value: string;
  /** The reference from the same run, ending in its number and unit, e.g. `floor 118 ms`; empty for absolute targets. */
  readonly reference: string;
  /** The target, e.g. `<= 1.5x`. */
  readonly target: string;
  /** Met or not; a function judges the printed ratio (value ÷ reference as printed). */
  readonly pass: boolean | ((ratio: number) => boolean);
}

export interface Bench {
  readonly title: string;
  run(): Promise<BenchRow[]>;
}

/** Units a value and its reference may be printed in, each as a multiple of its kind's base. */
const unitScale: Readonly<Record<string, { kind: string; scale: number }>> = {
  ms: { kind: 'time', scale: 1 },
  s: { kind: 'time', scale: 1000 },
  KB: { kind: 'size', scale: 1 },
  MB: { kind: 'size', scale: 1024 },
  GB: { kind: 'size', scale: 1024 * 1024 },
};

/** The last number in `text` and the unit after it (`hono echo 1,678 req/s` → 1678, `req/s`). */
function lastQuantity(text: string): { amount: number; unit: string } | undefined {
  const matches = [...text.matchAll(/(\d[\d,]*(?:\.\d+)?)(?:\s*([A-Za-z]+(?:\/s)?))?/g)];
  const last = matches.at(-1);
  if (!last) return undefined;
  return { amount: Number(last[1]!.replaceAll(',', '')), unit: last[2] ?? '' };
}

/**
 * The printed value ÷ the printed reference, or undefined when the row has no reference
 * number. Units must be of one kind (ms and s, KB, MB and GB convert; a rate only to itself).
 */
export function shownRatio(row: Pick<BenchRow, 'name' | 'value' | 'reference'>): number | undefined {
  const reference = lastQuantity(row.reference);
  if (!reference) return undefined;
  const value = lastQuantity(row.value);
  if (!value) throw new Error(`bench row "${row.name}": no number in its value "${row.value}"`);
  const [v, r] = [unitScale[value.unit], unitScale[reference.unit]];
  if (v && r && v.kind === r.kind) return (value.amount * v.scale) / (reference.amount * r.scale);
  if (value.unit !== reference.unit) throw new Error(`bench row "${row.name}": value in "${value.unit}", reference in "${reference.unit}"`);
  return value.amount / reference.amount;
}

/** Whether the row met its target (judged on its printed ratio when the target is one). */
export function rowPasses(row: BenchRow): boolean {
  if (typeof row.pass === 'boolean') return row.pass;
  const ratio = shownRatio(row);
  return ratio !== undefined && row.pass(ratio);
}

export function formatTable(rows: readonly BenchRow[]): string {
  const header = ['benchmark', 'value', 'reference', 'ratio', 'target', 'ok'];
  const cells = rows.map((r) => {
    const ratio = shownRatio(r);
    return [r.name, r.value, r.reference, ratio === undefined ? '' : fmt.ratio(ratio), r.target, rowPasses(r) ? 'yes' : 'NO'];
  });
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

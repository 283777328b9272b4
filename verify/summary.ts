/**
 * The one-screen summary of `make verify_aws`: one table, then exactly
 * `verify_aws: N passed, M failed`. A row is a pass, a failure, NOT RUN (with its reason:
 * counted and shown, never dropped) or information (the provider's origin, moto's gaps).
 */
export type RowStatus = 'pass' | 'FAIL' | 'NOT RUN' | 'info';

export interface SummaryRow {
  readonly status: RowStatus;
  readonly item: string;
  readonly detail: string;
}

export interface SummaryCounts {
  readonly passed: number;
  readonly failed: number;
  readonly notRun: number;
}

export function countRows(rows: readonly SummaryRow[]): SummaryCounts {
  return {
    passed: rows.filter((r) => r.status === 'pass').length,
    failed: rows.filter((r) => r.status === 'FAIL').length,
    notRun: rows.filter((r) => r.status === 'NOT RUN').length,
  };
}

/** Wraps `text` into lines of at most `width` characters, breaking at spaces where it can. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    const at = rest.lastIndexOf(' ', width);
    const cut = at > width / 3 ? at : width;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  lines.push(rest);
  return lines;
}

export function formatSummary(rows: readonly SummaryRow[], width = 120): string {
  const statusWidth = Math.max(6, ...rows.map((r) => r.status.length));
  const itemWidth = Math.max(4, ...rows.map((r) => r.item.length));
  const detailWidth = Math.max(30, width - statusWidth - itemWidth - 4);
  const lines = [`${'result'.padEnd(statusWidth)}  ${'item'.padEnd(itemWidth)}  detail`, `${'-'.repeat(statusWidth)}  ${'-'.repeat(itemWidth)}  ${'-'.repeat(Math.min(detailWidth, 40))}`];
  for (const row of rows) {
    wrap(row.detail, detailWidth).forEach((part, i) => {
      lines.push(i === 0 ? `${row.status.padEnd(statusWidth)}  ${row.item.padEnd(itemWidth)}  ${part}` : `${' '.repeat(statusWidth + itemWidth + 4)}${part}`);
    });
  }
  const counts = countRows(rows);
  if (counts.notRun > 0) lines.push('', `not run: ${counts.notRun} (each row above says why)`);
  lines.push('', `verify_aws: ${counts.passed} passed, ${counts.failed} failed`);
  return lines.join('\n');
}

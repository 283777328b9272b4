/** How `brewlake query` prints a result: an aligned table for people, CSV and JSON for tools. */
import type { JsonValue, QueryResult } from '../glue/query-engine';

export const outputFormats = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export function formatResult(result: QueryResult, format: OutputFormat): string {
  switch (format) {
    case 'table':
      return formatTable(result);
    case 'json':
      return formatJson(result);
    case 'csv':
      return formatCsv(result);
  }
}

/** One JSON array of row objects, on one line. */
export function formatJson(result: QueryResult): string {
  return `${JSON.stringify(result.rows)}\n`;
}

/** Arrays and structs print as their JSON; NULL as nothing (CSV) or `NULL` (table). */
const cellText = (value: JsonValue): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** RFC 4180: CRLF line ends, a header line, fields quoted when they hold a comma, quote or line break. */
export function formatCsv(result: QueryResult): string {
  const field = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text);
  const lines = [
    result.columns.map((c) => field(c.name)).join(','),
    ...result.rows.map((row) => result.columns.map((c) => field(row[c.name] == null ? '' : cellText(row[c.name]!))).join(',')),
  ];
  return lines.map((l) => `${l}\r\n`).join('');
}

const maxCellWidth = 60;
export const nullText = 'NULL';

/**
 * Aligned columns under a header rule; numeric columns right-aligned; long cells cut with `…`
 * except in the last column, where a long cell misaligns nothing.
 */
export function formatTable(result: QueryResult): string {
  const { columns, rows } = result;
  if (columns.length === 0) return '';
  const cells = rows.map((row) =>
    columns.map((c, i) => {
      const value = row[c.name];
      if (value === null || value === undefined) return nullText;
      const text = cellText(value).replace(/\r?\n/g, '\\n');
      const last = i === columns.length - 1;
      return !last && text.length > maxCellWidth ? `${text.slice(0, maxCellWidth - 1)}…` : text;
    }),
  );
  const numeric = columns.map((c) => rows.some((r) => r[c.name] != null) && rows.every((r) => r[c.name] == null || typeof r[c.name] === 'number'));
  const widths = columns.map((c, i) => Math.max(c.name.length, ...cells.map((r) => r[i]!.length)));
  const line = (texts: string[]) =>
    texts
      .map((t, i) => (numeric[i] ? t.padStart(widths[i]!) : t.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.name)), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].map((l) => `${l}\n`).join('');
}

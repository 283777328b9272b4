/** How `brewlake query` prints a result: an aligned table for people, CSV and JSON for tools. */
import type { JsonValue, QueryResult } from '../glue/query-engine';

export const outputFormats = ['table', 'json', 'csv'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export function formatResult(result: QueryResult, format: OutputFormat, layout: TableLayout = {}): string {
  switch (format) {
    case 'table':
      return formatTable(result, layout);
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
/** A column is never squeezed narrower than this (or its own natural width, if narrower). */
const minColumnWidth = 6;
const gap = 2;
export const nullText = 'NULL';

export interface TableLayout {
  /** The terminal's width: the table is fitted into it. Undefined: no limit (a pipe). */
  readonly width?: number;
}

const cut = (text: string, width: number) => (text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text);

/**
 * Column widths that fit `width`: each column's natural width (its longest cell, at most
 * 60 except the last), then the widest column narrowed one character at a time until the
 * line fits or every column is at its minimum.
 */
export function fitColumnWidths(natural: readonly number[], width: number | undefined): number[] {
  const widths = [...natural];
  if (width === undefined) return widths;
  const floor = natural.map((w) => Math.min(w, minColumnWidth));
  const total = () => widths.reduce((a, b) => a + b, 0) + gap * (widths.length - 1);
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) if (widths[i]! > floor[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    if (widest < 0) break;
    widths[widest]! -= 1;
  }
  return widths;
}

/**
 * Aligned columns under a header rule; numeric columns right-aligned; long cells (wide JSON
 * arrays and structs above all) cut with `…` to fit the terminal (`layout.width`); without
 * one, cut at 60 characters except in the last column. csv and json keep every value whole.
 */
export function formatTable(result: QueryResult, layout: TableLayout = {}): string {
  const { columns, rows } = result;
  if (columns.length === 0) return '';
  const texts = rows.map((row) =>
    columns.map((c) => {
      const value = row[c.name];
      return value === null || value === undefined ? nullText : cellText(value).replace(/\r?\n/g, '\\n');
    }),
  );
  const natural = columns.map((c, i) => {
    const longest = Math.max(c.name.length, ...texts.map((r) => r[i]!.length));
    return i === columns.length - 1 ? longest : Math.min(longest, Math.max(maxCellWidth, c.name.length));
  });
  const widths = fitColumnWidths(natural, layout.width);
  const numeric = columns.map((c) => rows.some((r) => r[c.name] != null) && rows.every((r) => r[c.name] == null || typeof r[c.name] === 'number'));
  const line = (cells: string[]) =>
    cells
      .map((t, i) => {
        const text = cut(t, widths[i]!);
        return numeric[i] ? text.padStart(widths[i]!) : text.padEnd(widths[i]!);
      })
      .join(' '.repeat(gap))
      .trimEnd();
  return [line(columns.map((c) => c.name)), line(widths.map((w) => '-'.repeat(w))), ...texts.map(line)].map((l) => `${l}\n`).join('');
}

/** The width to fit a table into: the terminal's, or `COLUMNS` when output goes elsewhere (none: no limit). */
export function terminalLayout(stream: { columns?: number; isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): TableLayout {
  if (stream.isTTY && stream.columns) return { width: stream.columns };
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? { width: columns } : {};
}

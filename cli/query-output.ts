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
/** Stands for the columns hidden to fit the terminal: a column of its own, as in DuckDB's CLI. */
export const hiddenColumnsMark = '…';

export interface TableLayout {
  /** The terminal's width: the table is fitted into it. Undefined: no limit (a pipe). */
  readonly width?: number;
  /** How to see every column when some are hidden (the footer says it). */
  readonly showAllHint?: string;
  /** Columns right-aligned although their values are text (numbers already formatted). */
  readonly alignRight?: readonly string[];
  /** Columns never cut (a name to type back, like a model version): the others give way first. */
  readonly keepWhole?: readonly string[];
}

const defaultShowAllHint = '--format csv or --format json shows them all';

const cut = (text: string, width: number) => (text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text);

/**
 * Column widths that fit `width`: each column's natural width (its longest cell, at most
 * 60 except the last), then the widest column narrowed one character at a time until the
 * line fits or every column is at its minimum (`floor`: 6 characters, or its natural width
 * if narrower).
 */
export function fitColumnWidths(natural: readonly number[], width: number | undefined, floor: readonly number[] = natural.map(floorOf)): number[] {
  const widths = [...natural];
  if (width === undefined) return widths;
  const total = () => lineWidth(widths);
  while (total() > width) {
    let widest = -1;
    for (let i = 0; i < widths.length; i++) if (widths[i]! > floor[i]! && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    if (widest < 0) break;
    widths[widest]! -= 1;
  }
  return widths;
}

const floorOf = (natural: number) => Math.min(natural, minColumnWidth);
const lineWidth = (widths: readonly number[]) => widths.reduce((a, b) => a + b, 0) + gap * Math.max(0, widths.length - 1);

/** Which columns a table shows: all, or the first `left` and the last `right` with the hidden ones between. */
export interface ShownColumns {
  readonly left: number;
  readonly right: number;
  readonly hidden: number;
}

/**
 * The columns that fit `width` at their minimum widths (`floor`): all of them when they do; else, as
 * DuckDB's CLI does, as many from both ends as fit beside a one-character `…` column (one
 * from the left, one from the right, in turn), the middle ones hidden. At least the first
 * column is shown, however narrow the terminal.
 */
export function chooseShownColumns(floor: readonly number[], width: number | undefined): ShownColumns {
  const n = floor.length;
  const all = { left: n, right: 0, hidden: 0 };
  if (width === undefined || lineWidth(floor) <= width) return all;
  let left = 1;
  let right = 0;
  const fits = (l: number, r: number) => lineWidth([...floor.slice(0, l), ...floor.slice(n - r), hiddenColumnsMark.length]) <= width;
  for (let fromLeft = false; left + right < n - 1; fromLeft = !fromLeft) {
    if (fromLeft ? fits(left + 1, right) : fits(left, right + 1)) {
      if (fromLeft) left++;
      else right++;
    } else if (!(fromLeft ? fits(left, right + 1) : fits(left + 1, right))) break;
    else if (fromLeft) right++;
    else left++;
  }
  return { left, right, hidden: n - left - right };
}

/** Words of `text` in lines of at most `width` characters (a word longer than that is cut). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  for (const word of text.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= width) lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(cut(word, width));
  }
  return lines;
}

/**
 * Aligned columns under a header rule; numeric columns right-aligned; long cells (wide JSON
 * arrays and structs above all) cut with `…` to fit the terminal (`layout.width`); without
 * one, cut at 60 characters except in the last column. When the columns do not fit even at
 * their narrowest, the middle ones are hidden behind a `…` column and a footer says how many
 * and how to see them. csv and json keep every value and column whole.
 */
export function formatTable(result: QueryResult, layout: TableLayout = {}): string {
  const { rows } = result;
  if (result.columns.length === 0) return '';
  const texts = rows.map((row) =>
    result.columns.map((c) => {
      const value = row[c.name];
      return value === null || value === undefined ? nullText : cellText(value).replace(/\r?\n/g, '\\n');
    }),
  );
  const naturalOf = (i: number) => {
    const longest = Math.max(result.columns[i]!.name.length, ...texts.map((r) => r[i]!.length));
    return i === result.columns.length - 1 ? longest : Math.min(longest, Math.max(maxCellWidth, result.columns[i]!.name.length));
  };
  const natural = result.columns.map((_, i) => naturalOf(i));
  const floor = result.columns.map((c, i) => (layout.keepWhole?.includes(c.name) ? natural[i]! : floorOf(natural[i]!)));
  const shown = chooseShownColumns(floor, layout.width);
  const n = result.columns.length;
  // Indexes of the columns shown, with -1 for the hidden ones' `…` column.
  const picked = [...natural.keys()].filter((i) => i < shown.left || i >= n - shown.right);
  if (shown.hidden > 0) picked.splice(shown.left, 0, -1);
  const widthOf = (widths: readonly number[]) => picked.map((i) => (i < 0 ? hiddenColumnsMark.length : widths[i]!));
  const widths = fitColumnWidths(widthOf(natural), layout.width, widthOf(floor));
  const numeric = picked.map((i) => {
    if (i < 0) return false;
    const c = result.columns[i]!;
    return layout.alignRight?.includes(c.name) || (rows.some((r) => r[c.name] != null) && rows.every((r) => r[c.name] == null || typeof r[c.name] === 'number'));
  });
  const line = (cells: readonly string[]) =>
    picked
      .map((i, k) => {
        const text = cut(i < 0 ? hiddenColumnsMark : cells[i]!, widths[k]!);
        return numeric[k] ? text.padStart(widths[k]!) : text.padEnd(widths[k]!);
      })
      .join(' '.repeat(gap))
      .trimEnd();
  const lines = [line(result.columns.map((c) => c.name)), widths.map((w) => '-'.repeat(w)).join(' '.repeat(gap)).trimEnd(), ...texts.map(line)];
  if (shown.hidden > 0) {
    const footer = `(${shown.hidden} of ${n} columns hidden: ${layout.showAllHint ?? defaultShowAllHint})`;
    lines.push(...wrap(footer, layout.width!));
  }
  return lines.map((l) => `${l}\n`).join('');
}

/** The width to fit a table into: the terminal's, or `COLUMNS` when output goes elsewhere (none: no limit). */
export function terminalLayout(stream: { columns?: number; isTTY?: boolean } = process.stdout, env: NodeJS.ProcessEnv = process.env): TableLayout {
  if (stream.isTTY && stream.columns) return { width: stream.columns };
  const columns = Number(env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? { width: columns } : {};
}

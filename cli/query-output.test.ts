import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { JsonValue, QueryResult } from '../glue/query-engine';
import { formatCsv, formatJson, formatTable, terminalLayout } from './query-output';

const result: QueryResult = {
  columns: [
    { name: 'id', type: 'INTEGER' },
    { name: 'name', type: 'VARCHAR' },
    { name: 'abv', type: 'DOUBLE' },
    { name: 'flags', type: 'VARCHAR[]' },
  ],
  rows: [
    { id: 1, name: 'Buzz', abv: 4.5, flags: [] },
    { id: 137, name: 'Sink "The" Bismarck, 41%', abv: null, flags: ['ph_out_of_range'] },
  ],
};

/** A reference RFC 4180 reader, to check what formatCsv writes reads back the same. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), (i += 2);
      else if (ch === '"') (quoted = false), i++;
      else (field += ch), i++;
    } else if (ch === '"') (quoted = true), i++;
    else if (ch === ',') record.push(field), (field = ''), i++;
    else if (ch === '\r' && text[i + 1] === '\n') record.push(field), records.push(record), (record = []), (field = ''), (i += 2);
    else (field += ch), i++;
  }
  return records;
}

describe('formatTable', () => {
  it('aligns columns, right-aligns numbers, shows NULL, prints arrays as JSON', () => {
    expect(formatTable(result)).toBe(
      [
        ' id  name                       abv  flags',
        '---  ------------------------  ----  -------------------',
        '  1  Buzz                       4.5  []',
        '137  Sink "The" Bismarck, 41%  NULL  ["ph_out_of_range"]',
        '',
      ].join('\n'),
    );
  });

  it('keeps each row on one line', () => {
    const text = formatTable({ columns: [{ name: 's', type: 'VARCHAR' }], rows: [{ s: 'a\nb' }] });
    expect(text.split('\n')).toEqual(['s', '----', 'a\\nb', '']);
  });
});

describe('formatCsv', () => {
  it('writes a header and RFC 4180 quoted fields with CRLF line ends; NULL is an empty field', () => {
    expect(formatCsv(result)).toBe('id,name,abv,flags\r\n1,Buzz,4.5,[]\r\n137,"Sink ""The"" Bismarck, 41%",,"[""ph_out_of_range""]"\r\n');
  });

  it('reads back field for field, for any text', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string(), { minLength: 2, maxLength: 2 }), { maxLength: 5 }), (cells) => {
        const rows = cells.map(([a, b]) => ({ a: a!, b: b! }));
        const csv = formatCsv({ columns: [{ name: 'a', type: 'VARCHAR' }, { name: 'b', type: 'VARCHAR' }], rows });
        expect(parseCsv(csv)).toEqual([['a', 'b'], ...cells]);
      }),
    );
  });
});

describe('formatJson', () => {
  it('is the array of row objects', () => {
    expect(JSON.parse(formatJson(result))).toEqual(result.rows);
  });
});

describe('formatTable fitted to a terminal', () => {
  // Values without spaces, so that a cell's text is its value or a cut prefix of it, padded.
  const word = (max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9,.'-]{0,${max}}$`));
  const cellValue = fc.oneof(word(80), fc.integer(), fc.constant(null), fc.array(fc.record({ name: word(12), grams: fc.double({ noNaN: true, noDefaultInfinity: true }) }), { maxLength: 6 }));
  const results = fc.integer({ min: 1, max: 40 }).chain((n) =>
    fc.record({
      names: fc.uniqueArray(fc.stringMatching(/^[a-z_]{1,14}$/), { minLength: n, maxLength: n }),
      rows: fc.array(fc.array(cellValue, { minLength: n, maxLength: n }), { maxLength: 6 }),
      width: fc.integer({ min: 20, max: 200 }),
    }),
  );
  const textOf = (v: JsonValue) => (v === null ? 'NULL' : typeof v === 'string' ? v : JSON.stringify(v));

  /** A shown cell: its whole text, or a prefix of it ending in … that fills the column. */
  const expectShown = (cell: string, whole: string, width: number) => {
    if (cell === whole) return;
    expect(cell.endsWith('…'), `${JSON.stringify(cell)} is not ${JSON.stringify(whole)}`).toBe(true);
    expect(whole.startsWith(cell.slice(0, -1))).toBe(true);
    expect(cell.length).toBe(width);
  };

  it('every line fits the width; shown columns are the first and last ones, each cell its value or a prefix of it ending in …; a footer counts the hidden ones', () => {
    fc.assert(
      fc.property(results, ({ names, rows, width }) => {
        const result = { columns: names.map((name) => ({ name, type: 'VARCHAR' })), rows: rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i] as JsonValue]))) };
        const lines = formatTable(result, { width }).trimEnd().split('\n');
        for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
        // The rule line gives each shown column's place: runs of dashes two spaces apart.
        const spans = [...lines[1]!.matchAll(/-+/g)].map((m) => ({ start: m.index, width: m[0].length }));
        const cellsOf = (line: string) => spans.map((s) => line.slice(s.start, s.start + s.width).trim());
        const header = cellsOf(lines[0]!);
        // Only the hidden columns' mark is one character wide and reads … (a real column that narrow is never cut).
        const mark = spans.findIndex((s, k) => s.width === 1 && header[k] === '…');
        const hidden = names.length - spans.length + (mark < 0 ? 0 : 1);
        const shown = mark < 0 ? names.map((_, i) => i) : [...names.keys()].filter((i) => i < mark || i >= mark + hidden);
        if (mark >= 0) shown.splice(mark, 0, -1);
        expect(shown).toHaveLength(spans.length);
        shown.forEach((i, k) => i >= 0 && expectShown(header[k]!, names[i]!, spans[k]!.width));
        rows.forEach((row, r) => {
          const cells = cellsOf(lines[2 + r]!);
          shown.forEach((i, k) => (i < 0 ? expect(cells[k]).toBe('…') : expectShown(cells[k]!, textOf(row[i]!), spans[k]!.width)));
        });
        const footer = lines.slice(2 + rows.length).join(' ');
        if (hidden === 0) expect(footer).toBe('');
        else expect(footer).toBe(`(${hidden} of ${names.length} columns hidden: --format csv or --format json shows them all)`);
        // Columns are hidden only when the shown ones cannot all fit at their narrowest.
        if (hidden > 0) expect(spans.length).toBeGreaterThan(1);
      }),
      { numRuns: 150 },
    );
  });

  it('hides middle columns behind … only when even their narrowest widths overflow, as DuckDB\'s CLI does', () => {
    const names = Array.from({ length: 22 }, (_, i) => `column_${String(i).padStart(2, '0')}`);
    const wide = { columns: names.map((name) => ({ name, type: 'VARCHAR' })), rows: [Object.fromEntries(names.map((n) => [n, `value of ${n}`]))] };
    const lines = formatTable(wide, { width: 80 }).trimEnd().split('\n');
    // Nine columns fit at their narrowest beside the mark: the first five and the last four.
    expect(lines[0]).toBe('colum…  colum…  column…  column…  column…  …  column…  column…  column…  column…');
    expect(lines.map((l) => l.length)).toEqual([80, 80, 80, 71]);
    expect(lines.at(-1)).toBe('(13 of 22 columns hidden: --format csv or --format json shows them all)');
    expect(formatTable(wide, { width: 80, showAllHint: '--json shows them all' }).trimEnd().split('\n').at(-1)).toBe('(13 of 22 columns hidden: --json shows them all)');
    // Ten columns at their narrowest fit 80: nothing hidden, each cut instead.
    const ten = { columns: wide.columns.slice(0, 10), rows: wide.rows };
    expect(formatTable(ten, { width: 80 })).not.toMatch(/…  …|hidden/);
  });

  it('leaves a table that fits as it is', () => {
    expect(formatTable(result, { width: 200 })).toBe(formatTable(result));
  });

  it('takes the width of a terminal, or COLUMNS when printing to a pipe, else none', () => {
    expect(terminalLayout({ isTTY: true, columns: 91 }, { COLUMNS: '40' })).toEqual({ width: 91 });
    expect(terminalLayout({ isTTY: false }, { COLUMNS: '40' })).toEqual({ width: 40 });
    expect(terminalLayout({ isTTY: false }, {})).toEqual({});
  });
});

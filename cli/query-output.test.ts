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
  // Values without spaces, so that a line splits back into its cells on the column gap.
  const word = (max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9,.'-]{0,${max}}$`));
  const cellValue = fc.oneof(word(80), fc.integer(), fc.constant(null), fc.array(fc.record({ name: word(12), grams: fc.double({ noNaN: true, noDefaultInfinity: true }) }), { maxLength: 6 }));
  const results = fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.record({
      names: fc.uniqueArray(fc.stringMatching(/^[a-z_]{1,14}$/), { minLength: n, maxLength: n }),
      rows: fc.array(fc.array(cellValue, { minLength: n, maxLength: n }), { maxLength: 8 }),
      width: fc.integer({ min: 50, max: 200 }),
    }),
  );

  it('every line fits the width, and every cut cell is a prefix of its value ending in …', () => {
    fc.assert(
      fc.property(results, ({ names, rows, width }) => {
        const result = { columns: names.map((name) => ({ name, type: 'VARCHAR' })), rows: rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i] as JsonValue]))) };
        const lines = formatTable(result, { width }).trimEnd().split('\n');
        for (const line of lines) expect(line.length).toBeLessThanOrEqual(width);
        for (const line of lines.slice(2)) {
          for (const piece of line.split(/ {2,}/)) {
            if (!piece.endsWith('…')) continue;
            const prefix = piece.trim().slice(0, -1);
            const whole = rows.flat().map((v) => (v === null ? 'NULL' : typeof v === 'string' ? v : JSON.stringify(v)));
            expect(whole.some((w) => w.includes(prefix))).toBe(true);
          }
        }
      }),
    );
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

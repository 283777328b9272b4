import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { QueryResult } from '../glue/query-engine';
import { formatCsv, formatJson, formatTable } from './query-output';

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

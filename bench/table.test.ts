import fc from 'fast-check';
import { expect, it } from 'vitest';
import { fmt, formatTable, rowPasses, type BenchRow } from './table';

/** The cells of the table's one data row. */
const cellsOf = (row: BenchRow) => formatTable([row]).split('\n')[2]!.split('|').slice(1, -1).map((c) => c.trim());
const numberIn = (text: string) => Number(/(\d[\d,]*(?:\.\d+)?)(?!.*\d)/.exec(text)![1]!.replaceAll(',', ''));

const printed = fc.oneof(
  fc.tuple(fc.double({ min: 0.01, max: 1e6, noNaN: true }), fc.double({ min: 0.01, max: 1e6, noNaN: true })).map(([v, r]) => ({ value: fmt.ms(v), reference: `floor ${fmt.ms(r)}` })),
  fc.tuple(fc.double({ min: 1, max: 1e7, noNaN: true }), fc.double({ min: 1, max: 1e7, noNaN: true })).map(([v, r]) => ({ value: fmt.rate(v, 'req'), reference: `hono echo ${fmt.rate(r, 'req')}` })),
  fc.tuple(fc.integer({ min: 1, max: 1e9 }), fc.integer({ min: 1, max: 1e9 })).map(([v, r]) => ({ value: fmt.count(v), reference: `logged ${fmt.count(r)}` })),
);

it('prints, for every row, the printed value ÷ the printed reference as its ratio, and judges a ratio target on that number', () => {
  fc.assert(
    fc.property(printed, fc.double({ min: 0.1, max: 10, noNaN: true }), ({ value, reference }, limit) => {
      const shown = numberIn(value) / numberIn(reference);
      fc.pre(shown > 0 && Number.isFinite(shown));
      const row: BenchRow = { name: 'x', value, reference, target: `<= ${limit}x`, pass: (ratio) => ratio <= limit };
      const [, , , ratio, , ok] = cellsOf(row);
      expect(ratio).toBe(fmt.ratio(shown));
      expect(ok).toBe(shown <= limit ? 'yes' : 'NO');
      expect(rowPasses(row)).toBe(shown <= limit);
    }),
    { numRuns: 2000 },
  );
});

it('converts units of one kind, and refuses a value and reference in different kinds', () => {
  expect(cellsOf({ name: 'x', value: '1.5 s', reference: 'bound 1000 ms', target: '', pass: true })[3]).toBe('1.50x');
  expect(cellsOf({ name: 'x', value: '81 MB', reference: 'JSON 1.0 GB', target: '', pass: true })[3]).toBe(fmt.ratio(81 / 1024));
  expect(cellsOf({ name: 'x', value: '91 MB', reference: '', target: 'reported', pass: true })[3]).toBe('');
  expect(() => formatTable([{ name: 'mixed', value: '12 ms', reference: 'limit 300 KB', target: '', pass: true }])).toThrow(/mixed/);
});

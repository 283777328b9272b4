import fc from 'fast-check';
import { expect, it } from 'vitest';
import { explainedStatement, splitStatements } from './sql-statements';

/** Statement bodies holding every place a `;` is text: strings, quoted names, comments, dollar quotes. */
const body = fc
  .array(
    fc.oneof(
      fc.constantFrom('select 1', 'from beers', 'where abv > 5', 'x'),
      fc.string({ unit: fc.constantFrom('a', ';', ' ', "''", '"') }).map((t) => `'${t.replaceAll("'", "''")}'`),
      fc.string({ unit: fc.constantFrom('a', ';', ' ', "'") }).map((t) => `"${t.replaceAll('"', '')}"`),
      fc.string({ unit: fc.constantFrom('a', ';', ' ', "'", '"') }).map((t) => `/* ${t} */`),
      fc.string({ unit: fc.constantFrom('a', ';', ' ', "'") }).map((t) => `-- ${t}\n`),
      fc.string({ unit: fc.constantFrom('a', ';', ' ', "'", '$') }).map((t) => `$q$${t.replaceAll('$q$', '')}$q$`),
    ),
    { minLength: 1, maxLength: 6 },
  )
  .map((parts) => `select ${parts.join(' ')}`);

it('cuts a script at its own semicolons only, for every mix of strings, names, comments and dollar quotes', () => {
  fc.assert(
    fc.property(fc.array(body, { minLength: 1, maxLength: 5 }), (statements) => {
      expect(splitStatements(statements.join(';\n'))).toEqual(statements.map((s, i) => (i === 0 ? s : `\n${s}`)));
    }),
    { numRuns: 1000 },
  );
});

it('leaves out blank statements and trailing comments', () => {
  expect(splitStatements('select 1;; -- done\n')).toEqual(['select 1']);
  expect(splitStatements('/* nested /* ; */ still ; */ select 2;')).toEqual(['/* nested /* ; */ still ; */ select 2']);
});

it.each([
  ['explain select 1', false, 'select 1'],
  ['EXPLAIN ANALYZE copy (select 1) to \'x\'', true, "copy (select 1) to 'x'"],
  ['explain analyse select 1', true, 'select 1'],
  ['explain /* ; */ analyze -- why\n copy t to \'x\'', true, "copy t to 'x'"],
  ['explain (format json) select 1', false, 'select 1'],
  ['explain (analyze, format json) copy t to \'x\'', true, "copy t to 'x'"],
  ['explain verbose analyze select 1', true, 'select 1'],
  ['explain (select 1)', false, '(select 1)'],
])('reads what %j explains', (sql, analyze, statement) => {
  expect(explainedStatement(sql)).toEqual({ analyze, statement });
});

it('says when a statement is not an EXPLAIN', () => {
  expect(explainedStatement('select 1')).toBeUndefined();
  expect(explainedStatement("select 'explain analyze'")).toBeUndefined();
});

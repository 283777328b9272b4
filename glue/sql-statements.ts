/**
 * Just enough of SQL's lexical rules (DuckDB's dialect) to cut a script into its statements
 * and to read what an EXPLAIN explains: `-- line` and `/* block *\/` comments, '…' strings
 * (with '' inside), "…" identifiers and $tag$…$tag$ strings, where a `;` or a keyword is text.
 *
 * Why the lake engine needs it: DuckDB types `EXPLAIN ANALYZE COPY … TO 'file'` as an EXPLAIN
 * (a reading statement) and then runs the COPY. The engine reads the explained statement out
 * of the text and asks DuckDB what that one is.
 */

/** Where the quoted text or comment opening at `start` ends (the index after it), or undefined when none opens there. */
function skipQuotedOrComment(sql: string, start: number): number | undefined {
  const rest = sql.slice(start);
  if (rest.startsWith('--')) {
    const end = sql.indexOf('\n', start);
    return end === -1 ? sql.length : end + 1;
  }
  if (rest.startsWith('/*')) {
    // DuckDB's block comments nest, as PostgreSQL's do.
    let depth = 0;
    for (let i = start; i < sql.length; i++) {
      if (sql.startsWith('/*', i)) {
        depth++;
        i++;
      } else if (sql.startsWith('*/', i)) {
        depth--;
        i++;
        if (depth === 0) return i + 1;
      }
    }
    return sql.length;
  }
  const quote = sql[start];
  if (quote === "'" || quote === '"') {
    for (let i = start + 1; i < sql.length; i++) {
      if (sql[i] !== quote) continue;
      if (sql[i + 1] === quote) i++;
      else return i + 1;
    }
    return sql.length;
  }
  const dollar = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(rest);
  if (dollar && !/[A-Za-z0-9_]/.test(sql[start - 1] ?? '')) {
    const end = sql.indexOf(dollar[0], start + dollar[0].length);
    return end === -1 ? sql.length : end + dollar[0].length;
  }
  return undefined;
}

/** The statements of a script, each without its `;`, blank ones (`;;`, a trailing comment) left out. */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let from = 0;
  let i = 0;
  while (i < sql.length) {
    const skipped = skipQuotedOrComment(sql, i);
    if (skipped !== undefined) {
      i = skipped;
    } else if (sql[i] === ';') {
      statements.push(sql.slice(from, i));
      from = ++i;
    } else {
      i++;
    }
  }
  statements.push(sql.slice(from));
  return statements.filter((statement) => withoutComments(statement).trim() !== '');
}

/** `sql` with its comments blanked out (strings kept as they are). */
function withoutComments(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const skipped = skipQuotedOrComment(sql, i);
    if (skipped === undefined) {
      out += sql[i++];
    } else {
      out += sql.startsWith('--', i) || sql.startsWith('/*', i) ? ' ' : sql.slice(i, skipped);
      i = skipped;
    }
  }
  return out;
}

export interface ExplainedStatement {
  /** `EXPLAIN ANALYZE` (or `EXPLAIN (ANALYZE …)`): DuckDB runs the explained statement. */
  readonly analyze: boolean;
  /** The statement explained, as written. */
  readonly statement: string;
}

/**
 * What an `EXPLAIN [ANALYZE | ANALYSE] [VERBOSE] [(option, …)]` statement explains, or undefined
 * when `statement` does not start with EXPLAIN.
 */
export function explainedStatement(statement: string): ExplainedStatement | undefined {
  const text = withoutComments(statement);
  const explain = /^\s*explain\b/i.exec(text);
  if (!explain) return undefined;
  let analyze = false;
  let rest = text.slice(explain[0].length);
  for (;;) {
    const word = /^\s*(analy[sz]e|verbose)\b/i.exec(rest);
    if (word) {
      if (/^analy/i.test(word[1]!)) analyze = true;
      rest = rest.slice(word[0].length);
      continue;
    }
    const options = /^\s*\(([^()]*)\)/.exec(rest);
    // A parenthesis opens the options only when a word follows it (`(FORMAT json)`); `(SELECT …)` is the statement.
    if (options && !/^\s*(select|with|from|values|table)\b/i.test(options[1]!)) {
      if (/\banaly[sz]e\b/i.test(options[1]!)) analyze = true;
      rest = rest.slice(options[0].length);
      continue;
    }
    return { analyze, statement: rest.trim() };
  }
}

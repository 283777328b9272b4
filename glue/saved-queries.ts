/**
 * The analysts' saved queries: one portable SQL file each in glue/queries/, run by the
 * DuckDB engine locally and by Athena in AWS (the stacks turn them into Athena named
 * queries at synth time).
 *
 * A file opens with a header of `--` comment lines, then the statement:
 *
 *   -- name: strongest-beers
 *   -- description: The ten strongest beers by alcohol by volume.
 *   select …
 *
 * `name` must equal the file name without `.sql` (one name per query, everywhere);
 * `description` is one line. Further comments belong to the statement and are kept.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SavedQuery {
  readonly name: string;
  readonly description: string;
  /** The statement, header removed, with no trailing semicolon (Athena takes one statement). */
  readonly sql: string;
}

/** A saved-query file that does not follow the header format. */
export class SavedQueryInvalid extends Error {
  override readonly name = 'SavedQueryInvalid';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
  }
}

export class SavedQueryNotFound extends Error {
  override readonly name = 'SavedQueryNotFound';
  constructor(
    readonly queryName: string,
    readonly known: readonly string[],
  ) {
    super(`no saved query named ${queryName}; saved queries: ${known.join(', ')}`);
  }
}

/** glue/queries/ in the source tree, wherever the process runs from. */
export const savedQueriesDir = fileURLToPath(new URL('./queries/', import.meta.url));

const headerLine = /^--\s*(name|description)\s*:\s*(.*?)\s*$/;

/** Parses one saved-query file's text; `file` names it in errors. */
export function parseSavedQuery(file: string, text: string): SavedQuery {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header: Record<string, string> = {};
  let bodyStart = 0;
  for (const line of lines) {
    const match = headerLine.exec(line);
    if (!match) break;
    const [, key = '', value = ''] = match;
    if (key in header) throw new SavedQueryInvalid(file, `the header repeats "${key}"`);
    header[key] = value;
    bodyStart += 1;
  }
  const expectedName = basename(file, '.sql');
  if (!header.name) throw new SavedQueryInvalid(file, 'the header has no "-- name: …" line');
  if (header.name !== expectedName) throw new SavedQueryInvalid(file, `the header names it "${header.name}", the file is "${expectedName}"`);
  if (!header.description) throw new SavedQueryInvalid(file, 'the header has no "-- description: …" line');
  const sql = lines
    .slice(bodyStart)
    .join('\n')
    .trim()
    .replace(/;\s*$/, '')
    .trimEnd();
  if (sql === '') throw new SavedQueryInvalid(file, 'there is no statement after the header');
  return { name: header.name, description: header.description, sql };
}

/** Every saved query in `dir`, sorted by name. */
export function savedQueries(dir: string = savedQueriesDir): SavedQuery[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql') && !f.startsWith('.'))
    .sort()
    .map((f) => parseSavedQuery(f, readFileSync(join(dir, f), 'utf8')));
}

export function savedQuery(name: string, dir: string = savedQueriesDir): SavedQuery {
  const all = savedQueries(dir);
  const found = all.find((q) => q.name === name);
  if (!found) throw new SavedQueryNotFound(name, all.map((q) => q.name));
  return found;
}

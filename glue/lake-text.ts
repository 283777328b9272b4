/**
 * What the lake's readers take as a line: DuckDB's JSON reader (the local engine) and
 * Athena's JSON SerDe refuse a whole file for one line that is not valid UTF-8, not JSON,
 * or holds a lone UTF-16 surrogate (`"\ud800"`: JSON.stringify writes it as an escape no
 * reader decodes), so one such value would make a table unreadable. Every lake writer
 * checks or repairs its text here.
 */

const anySurrogate = /[\uD800-\uDFFF]/;
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether `text` holds a UTF-16 surrogate without its pair (not encodable as UTF-8). */
// The plain class first: most text has no surrogate at all, and the lookarounds cost more.
export const hasLoneSurrogate = (text: string): boolean => anySurrogate.test(text) && loneSurrogate.test(text);

/** `text` with every lone surrogate replaced by U+FFFD, as a UTF-8 encoder would. */
export const wellFormedText = (text: string): string => (hasLoneSurrogate(text) ? Buffer.from(text, 'utf8').toString('utf8') : text);

/**
 * How deep arrays and objects may nest in a lake line (the line's own object is level 1). A
 * PunkAPI beer nests 5 deep (`ingredients.hops[0].amount`); DuckDB 1.5's JSON reader dies
 * with the whole process (a stack overflow, exit 245) reading one line nested 100,000 deep,
 * and so does any recursive walk in JavaScript: one upstream beer could stop a backfill and
 * make the raw table unreadable. 32 is far above any beer and far below either.
 */
export const maxJsonNesting = 32;

/**
 * Whether `value` nests arrays and objects deeper than `limit` levels. It recurses, but never
 * more than `limit` + 1 calls deep, whatever the value's depth: no nesting overflows it.
 */
export function nestedDeeperThan(value: unknown, limit: number = maxJsonNesting): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (limit <= 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (nestedDeeperThan(value[i], limit - 1)) return true;
    return false;
  }
  // Parsed JSON: own properties only, so `for…in` sees exactly its keys.
  for (const key in value) if (nestedDeeperThan((value as Record<string, unknown>)[key], limit - 1)) return true;
  return false;
}

/** Why `value` nests too deep for the lake, or undefined when it does not. */
export const tooDeepReason = (value: unknown): string | undefined =>
  nestedDeeperThan(value) ? `nested deeper than ${maxJsonNesting} levels of arrays and objects, which the lake does not hold` : undefined;

/**
 * The path of the first string (a value or a key) in a parsed JSON value that holds a lone
 * surrogate, e.g. `name` or `ingredients.hops[2].name`; undefined when there is none. A loop
 * over an explicit stack, not recursion, so no nesting depth overflows it.
 */
export function loneSurrogatePath(value: unknown): string | undefined {
  const values: unknown[] = [value];
  const paths: string[] = [''];
  while (values.length > 0) {
    const item = values.pop();
    const path = paths.pop()!;
    if (typeof item === 'string') {
      if (hasLoneSurrogate(item)) return path || '(the value)';
      continue;
    }
    if (typeof item !== 'object' || item === null) continue;
    // Pushed last child first, so the first string in document order is found first.
    if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) {
        values.push(item[i]);
        paths.push(`${path}[${i}]`);
      }
      continue;
    }
    const entries = Object.entries(item);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const at = path ? `${path}.${key}` : key;
      // The key is checked as its entry comes up, before the value under it.
      values.push(child, key);
      paths.push(at, at);
    }
  }
  return undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Why a record's bytes cannot be one line of a lake table, or undefined when they can: one
 * JSON object in valid UTF-8, nested at most `maxJsonNesting` deep, no lone surrogate in it,
 * ending in a newline (records are concatenated into files as they are, so a record without
 * one would run into the next).
 */
export function unreadableLineReason(bytes: Uint8Array): string | undefined {
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return 'not valid UTF-8 (an overlong, truncated or surrogate encoding)';
  }
  if (!text.endsWith('\n')) return 'does not end in a newline';
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not one JSON line: ${wellFormedText(error instanceof Error ? error.message : String(error))}`;
  }
  if (text.indexOf('\n') !== text.length - 1) return 'more than one line';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  const tooDeep = tooDeepReason(value);
  if (tooDeep) return tooDeep;
  const at = loneSurrogatePath(value);
  return at ? `${at}: holds a lone UTF-16 surrogate, which no lake reader decodes` : undefined;
}

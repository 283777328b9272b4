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
 * The path of the first string (a value or a key) in a parsed JSON value that holds a lone
 * surrogate, e.g. `name` or `ingredients.hops[2].name`; undefined when there is none.
 */
export function loneSurrogatePath(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return hasLoneSurrogate(value) ? path || '(the value)' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = loneSurrogatePath(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (hasLoneSurrogate(key)) return at;
    const found = loneSurrogatePath(item, at);
    if (found) return found;
  }
  return undefined;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * Why a record's bytes cannot be one line of a lake table, or undefined when they can: one
 * JSON object in valid UTF-8, no lone surrogate in it, ending in a newline (records are
 * concatenated into files as they are, so a record without one would run into the next).
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
  const at = loneSurrogatePath(value);
  return at ? `${at}: holds a lone UTF-16 surrogate, which no lake reader decodes` : undefined;
}

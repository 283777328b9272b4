/**
 * A function of a spelling, read once per spelling: hop names and `add`/`attribute` texts
 * repeat endlessly (a few hundred in the catalogue), and the features read them for every
 * beer of every request. Bounded, so a stream of invented spellings cannot grow memory.
 */
export function memoBySpelling<V>(read: (text: string) => V, known: Iterable<string> = [], limit = 10_000): (text: string) => V {
  const seen = new Map<string, V>();
  for (const text of known) seen.set(text, read(text));
  return (text) => {
    let value = seen.get(text);
    if (value === undefined) {
      value = read(text);
      if (seen.size < limit) seen.set(text, value);
    }
    return value;
  };
}

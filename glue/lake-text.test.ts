import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { duckDbReads, hostileText, invalidUtf8, spliceBytes } from './hostile-text.test-support';
import { hasLoneSurrogate, loneSurrogatePath, maxJsonNesting, nestedDeeperThan, unreadableLineReason, wellFormedText } from './lake-text';
import type { TableDefinition } from './schema';

const table: TableDefinition = { name: 'probe', description: 'a line of text fields', prefix: 'probe/', columns: [{ name: 'id', type: 'bigint' }, { name: 'name', type: 'string' }, { name: 'tags', type: { kind: 'array', of: 'string' } }] } as unknown as TableDefinition;
const line = (name: string, tags: string[]) => `${JSON.stringify({ id: 1, name, tags })}\n`;

/** A value nesting `levels` arrays and objects (shape chosen by `objects`), a string at the bottom. */
function nested(levels: number, objects: (level: number) => boolean, leaf: unknown = 'x'): unknown {
  let value = leaf;
  for (let level = levels; level >= 1; level--) value = objects(level) ? { name: 'n', [`k${level}`]: value } : [1, value];
  return value;
}

describe('nesting the lake holds', () => {
  const shape = fc.func(fc.boolean());
  it('for any depth and any mix of arrays and objects: deeper than the limit exactly when it is', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 64 }), shape, (levels, limit, objects) => {
        expect(nestedDeeperThan(nested(levels, objects), limit)).toBe(levels > limit);
      }),
      { numRuns: 300 },
    );
  });

  it('walks 100,000 levels without overflowing the stack: refused as a line, its lone surrogate still found', () => {
    const deep = { id: 7, x: nested(100_000, (l) => l % 2 === 0, '\ud800') };
    expect(nestedDeeperThan(deep)).toBe(true);
    expect(loneSurrogatePath(deep)).toMatch(/^x(\.k\d+|\[1\])+$/);
    const text = `{"id":7,"name":"Deep","x":${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`;
    expect(unreadableLineReason(Buffer.from(text))).toBe(`nested deeper than ${maxJsonNesting} levels of arrays and objects, which the lake does not hold`);
  });

  it('for any depth: a line is readable exactly when it nests within the limit (the line itself is level 1)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 * maxJsonNesting }), shape, (levels, objects) => {
        const line = Buffer.from(`${JSON.stringify({ id: 1, x: nested(levels - 1, objects) })}\n`);
        expect(unreadableLineReason(line) === undefined).toBe(levels <= maxJsonNesting);
      }),
      { numRuns: 200 },
    );
  });
});

describe('lake text', () => {
  it('finds lone surrogates, and only those, by the path of the field', () => {
    expect(hasLoneSurrogate('a\ud83d\ude00b')).toBe(false);
    for (const lone of ['\ud800', 'x\udc00', '\ud83d', '\ude00y', '\udc00\ud800']) expect(hasLoneSurrogate(lone)).toBe(true);
    expect(loneSurrogatePath({ name: 'ok', ingredients: { hops: [{ name: 'a' }, { name: 'b\ud800' }] } })).toBe('ingredients.hops[1].name');
    expect(loneSurrogatePath({ ['k\udc00']: 1 })).toBe('k\udc00');
    expect(loneSurrogatePath({ name: 'Mittelfrüh 😀' })).toBeUndefined();
  });

  it('says a line is readable only when DuckDB reads it, for any text in its fields', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, fc.array(hostileText, { maxLength: 3 }), async (name, tags) => {
        const bytes = Buffer.from(line(name, tags));
        const reason = unreadableLineReason(bytes);
        const readable = await duckDbReads(table, bytes).then(() => true, () => false);
        // Lone surrogates are what JSON.stringify lets through; the rest it escapes.
        expect(reason === undefined).toBe(readable);
        expect(reason === undefined).toBe(!hasLoneSurrogate(name) && !tags.some(hasLoneSurrogate));
      }),
      { numRuns: 150 },
    );
  });

  it('refuses bytes that are not valid UTF-8 anywhere in a line, as DuckDB does', async () => {
    await fc.assert(
      fc.asyncProperty(invalidUtf8, fc.double({ min: 0, max: 1, noNaN: true }), async (bad, at) => {
        const bytes = spliceBytes(Buffer.from(line('Hallertauer Mittelfrüh', ['a'])).subarray(0, -1), bad, at);
        const withNewline = Buffer.concat([bytes, Buffer.from('\n')]);
        expect(unreadableLineReason(withNewline)).toBeDefined();
        await expect(duckDbReads(table, withNewline)).rejects.toThrow();
      }),
      { numRuns: 60 },
    );
  });

  it('repairs any text into text DuckDB reads, unchanged where it was well formed', async () => {
    await fc.assert(
      fc.asyncProperty(hostileText, async (name) => {
        const repaired = wellFormedText(name);
        expect(hasLoneSurrogate(repaired)).toBe(false);
        if (!hasLoneSurrogate(name)) expect(repaired).toBe(name);
        // Read back as written (DuckDB drops a leading U+FEFF, its own business, not the writer's).
        const rows = await duckDbReads(table, line(repaired, []));
        expect(String(rows[0]!.name).replaceAll('\ufeff', '')).toBe(repaired.replaceAll('\ufeff', ''));
      }),
      { numRuns: 100 },
    );
  });

  it('refuses what is not one JSON object line', () => {
    for (const text of ['{not json\n', '[1,2]\n', '{"a":1}', '{"a":1}\n{"a":2}\n', '{\n"a":1}\n', '"text"\n', '{"a":"x\ty"}\n']) {
      expect(unreadableLineReason(Buffer.from(text)), text).toBeDefined();
    }
    expect(unreadableLineReason(Buffer.from('{"name":"a\\u0001b"}\n'))).toBeUndefined();
  });
});

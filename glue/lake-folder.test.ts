import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { catalogFileName, checkLakeFolder, checkNewLakeFolder, lakeFolderMarkers } from './lake-folder';

const parent = mkdtempSync(join(tmpdir(), 'lake-folder-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));
let made = 0;
const folder = (...entries: ((dir: string) => void)[]) => {
  const dir = join(parent, `f${made++}`);
  mkdirSync(dir);
  for (const make of entries) make(dir);
  return dir;
};
const file = (name: string, content: string | Buffer = 'x') => (dir: string) => writeFileSync(join(dir, name), content);
const sub = (name: string) => (dir: string) => mkdirSync(join(dir, name));
/** A DuckDB file's first bytes: an 8-byte checksum, then DUCK. */
const duckDbHead = (checksum: Buffer) => Buffer.concat([checksum, Buffer.from('DUCK'), Buffer.alloc(4088)]);

describe('checkLakeFolder', () => {
  it('accepts each table folder or the registry folder alone, and a real catalog file alone', () => {
    for (const marker of lakeFolderMarkers) expect(checkLakeFolder(folder(sub(marker)))).toBeUndefined();
    expect(checkLakeFolder(folder(file(catalogFileName, duckDbHead(Buffer.alloc(8)))))).toBeUndefined();
  });

  it('refuses every table or registry entry that is a file, naming it, even beside good folders', () => {
    for (const marker of lakeFolderMarkers) {
      const others = lakeFolderMarkers.filter((m) => m !== marker).map(sub);
      const dir = folder(file(marker), ...others);
      const verdict = checkLakeFolder(dir);
      expect(verdict?.reason, marker).toBe('broken entry');
      expect(verdict?.message).toContain(`${join(dir, marker)} is not a folder`);
      expect(checkNewLakeFolder(dir)?.reason).toBe('broken entry');
    }
  });

  it('refuses a catalog that is a folder', () => {
    const dir = folder(sub(catalogFileName), sub('cleaned'));
    expect(checkLakeFolder(dir)?.message).toContain(`${join(dir, catalogFileName)} is not a file`);
  });

  it('for every content: the catalog is accepted exactly when it carries DUCK at byte 8', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.boolean(), (bytes, stamp) => {
        const content = Buffer.from(bytes);
        if (stamp && content.length >= 12) content.write('DUCK', 8, 'latin1');
        const isDuckDb = content.length >= 12 && content.subarray(8, 12).toString('latin1') === 'DUCK';
        const dir = folder(file(catalogFileName, content), sub('cleaned'));
        const verdict = checkLakeFolder(dir);
        if (isDuckDb) expect(verdict).toBeUndefined();
        else expect(verdict?.message).toContain(`${join(dir, catalogFileName)} is not a DuckDB database`);
      }),
      { numRuns: 150 },
    );
  });

  it('says why a folder is not a lake: missing, a file, or holding nothing of a lake', () => {
    expect(checkLakeFolder(join(parent, 'nowhere'))?.reason).toBe('missing');
    const aFile = join(parent, 'a-file');
    writeFileSync(aFile, 'x');
    expect(checkLakeFolder(aFile)?.reason).toBe('not a folder');
    expect(checkLakeFolder(aFile)?.message).not.toContain(`--lake ${aFile}\``);
    expect(checkLakeFolder(folder(sub('photos')))?.reason).toBe('no lake entries');
  });
});

describe('checkNewLakeFolder (demo makes the lake)', () => {
  it('accepts a missing folder, an empty one and a lake; refuses a file', () => {
    expect(checkNewLakeFolder(join(parent, 'to-be-made'))).toBeUndefined();
    expect(checkNewLakeFolder(folder())).toBeUndefined();
    expect(checkNewLakeFolder(folder(sub('raw'), sub('cleaned')))).toBeUndefined();
    const aFile = join(parent, 'another-file');
    writeFileSync(aFile, 'x');
    expect(checkNewLakeFolder(aFile)?.reason).toBe('not a folder');
  });
});

// Runs a CommonJS bundle with V8's code cache: the bytecode a run compiled is kept in a file
// and handed back to V8 on the next run, which then skips parsing and compiling what it finds
// there (~25 ms of the CLI's start on a 1.5 MB bundle). Node 22 has this built in
// (module.enableCompileCache); Node 20, which brewlake supports, does not.
//
// V8 accepts a cache for any source of the same length, so the cache is named after the
// bundle's modification time: a rebuilt bundle never meets the code of the one before it.
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * Loads `file` as CommonJS (as `require` would) and returns its exports. `cacheName` names
 * the run's kind (the command): each keeps the code it used, which is what the next run of
 * the same kind will need.
 */
export function requireWithCodeCache(file, cacheDir, cacheName) {
  const source = readFileSync(file, 'utf8');
  const cacheFile = join(cacheDir, `${cacheName}-${Math.trunc(statSync(file).mtimeMs)}.bin`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // No cache yet: this run makes it.
  }
  // CommonJS's own wrapper: what `require` would compile.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit, so that the cache holds every function the run compiled, not only the top level.
    process.once('exit', () => {
      const staging = `${cacheFile}.${process.pid}`;
      try {
        mkdirSync(cacheDir, { recursive: true });
        writeFileSync(staging, script.createCachedData());
        renameSync(staging, cacheFile);
      } catch {
        // A cache is only a speed-up: a read-only install or a full disk runs without one,
        // and leaves no half-written file holding the space.
        try {
          rmSync(staging, { force: true });
        } catch {
          // Nothing was written where nothing can be (the folder is not one).
        }
      }
    });
  }
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

/** The Swagger UI files from the `swagger-ui-dist` npm package, read once and kept in memory. */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DocsAssetSource, DocsAssetFile } from './docs-assets';

export function swaggerUiDistAssets(): DocsAssetSource {
  const dir = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const cache = new Map<DocsAssetFile, Promise<Uint8Array>>();
  return (file) => {
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = readFile(join(dir, file));
      cache.set(file, bytes);
    }
    return bytes;
  };
}

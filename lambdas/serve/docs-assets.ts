/**
 * Swagger UI's files, served by the app itself: `@hono/swagger-ui` renders the page but
 * points at a CDN by default, and brewlake runs with no internet. The page is told to load
 * its assets from `docsAssetsBase`, and the app answers those paths from a `DocsAssetSource`.
 */

/** The files the Swagger UI page loads, with their content types. Nothing else is served. */
export const docsAssetFiles = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
} as const;
export type DocsAssetFile = keyof typeof docsAssetFiles;

/** Where the page asks for them: `@hono/swagger-ui` appends `/swagger-ui-dist/<file>`. */
export const docsAssetsBase = '/docs/assets';
export const docsAssetsRoute = `${docsAssetsBase}/swagger-ui-dist/:file`;

/** Returns a file's bytes, or undefined when this deployment does not carry them. */
export type DocsAssetSource = (file: DocsAssetFile) => Promise<Uint8Array | undefined>;

export const isDocsAssetFile = (file: string): file is DocsAssetFile => Object.hasOwn(docsAssetFiles, file);

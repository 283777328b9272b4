/**
 * Swagger UI's files in AWS: too big for the Lambda bundle (the script alone is ~460 KB
 * gzipped), so they are read from the models bucket under `<prefix>` once per container.
 * The deploy uploads `node_modules/swagger-ui-dist/{swagger-ui.css,swagger-ui-bundle.js}`.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DocsAssetFile, DocsAssetSource } from './docs-assets';

export function s3DocsAssets(client: Pick<S3Client, 'send'>, bucket: string, prefix: string): DocsAssetSource {
  const cache = new Map<DocsAssetFile, Promise<Uint8Array | undefined>>();
  return (file) => {
    let bytes = cache.get(file);
    if (!bytes) {
      bytes = client
        .send(new GetObjectCommand({ Bucket: bucket, Key: `${prefix}${file}` }))
        .then((out) => out.Body?.transformToByteArray())
        .catch(() => {
          cache.delete(file);
          return undefined;
        });
      cache.set(file, bytes);
    }
    return bytes;
  };
}

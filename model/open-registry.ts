/** A registry by location: `s3://bucket/prefix/` in AWS, a folder locally (by default the lake's `_models`). */
import { S3Client } from '@aws-sdk/client-s3';
import { join } from 'node:path';
import { localModelsFolder } from '../glue/layout';
import { createLocalRegistry, createS3Registry, type ModelRegistry } from './registry';

export function localRegistryDir(lakeDir: string): string {
  return join(lakeDir, localModelsFolder);
}

export function openRegistry(location: string, options: { s3?: S3Client; region?: string } = {}): ModelRegistry {
  const s3 = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (!s3) return createLocalRegistry(location);
  const prefix = s3[2] && !s3[2].endsWith('/') ? `${s3[2]}/` : (s3[2] ?? '');
  return createS3Registry({ client: options.s3 ?? new S3Client(options.region ? { region: options.region } : {}), bucket: s3[1]!, prefix });
}

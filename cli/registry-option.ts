/**
 * `--registry` for the commands that read a registry (models, promote, score, drift): a local
 * folder that is missing or not a folder is refused by name, never listed as "no model
 * versions yet". An `s3://` registry is not a folder; S3 answers for it.
 */
import { statSync } from 'node:fs';
import { resolve } from 'node:path';

export class RegistryNotAFolder extends Error {
  override readonly name = 'RegistryNotAFolder';
  constructor(
    readonly location: string,
    readonly reason: 'missing' | 'not a folder',
  ) {
    super(
      `--registry ${location === '' ? '""' : resolve(location)} ${reason === 'missing' ? 'does not exist' : 'is not a folder'}: give the folder \`npx brewlake train --registry\` wrote, or s3://bucket/prefix/, or leave the option out for <lake>/_models`,
    );
  }
}

/** The verdict on a `--registry` a command reads from: undefined when it can be read. */
export function checkRegistryToRead(location: string): RegistryNotAFolder | undefined {
  if (location.startsWith('s3://')) return undefined;
  if (location.trim() === '') return new RegistryNotAFolder(location, 'missing');
  try {
    return statSync(location).isDirectory() ? undefined : new RegistryNotAFolder(location, 'not a folder');
  } catch {
    return new RegistryNotAFolder(location, 'missing');
  }
}

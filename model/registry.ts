/**
 * The model registry: every training run is a version with its lineage, and one pointer
 * names the promoted version. Promotion is one atomic switch of that pointer (a file
 * rename locally, a conditional write in S3), made only to a version whose artifact loads,
 * so readers see the old version or the new one, never a torn pointer or a broken model.
 * Rollback is promoting an older version.
 */
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ArtifactError, parseArtifact, type CvSummary, type ModelArtifact } from './artifact';
import type { FeatureSet } from './features';
import type { GbmParams } from './gbm';

/** Where a version came from: enough to reproduce it or to explain it. */
export interface Lineage {
  readonly version: string;
  readonly featureSet: FeatureSet;
  readonly trainedAt: string;
  /** `duckdb` (local lake), `athena`, or `api` for POST /retrain. */
  readonly engine: string;
  readonly sql: string;
  readonly rows: number;
  /** SHA-256 of the training rows as trained on. */
  readonly dataHash: string;
  readonly params: GbmParams;
  readonly cv?: CvSummary | undefined;
  /** Scores on the evaluation folds, when trained with them. */
  readonly evaluation?: unknown;
  readonly codeVersion: string;
}

export interface ModelVersion {
  readonly version: string;
  readonly lineage: Lineage;
  readonly promoted: boolean;
}

export interface ModelRegistry {
  /** Where it lives, for messages. */
  readonly location: string;
  /** Stores an artifact and its lineage; returns the version (lineage.version). */
  save(artifact: ModelArtifact, lineage: Lineage): Promise<string>;
  /** Oldest first. */
  list(): Promise<ModelVersion[]>;
  load(version: string): Promise<ModelArtifact>;
  lineage(version: string): Promise<Lineage>;
  /** Atomically points at `version`, after checking its artifact loads. */
  promote(version: string): Promise<void>;
  /** The promoted version's name; null when nothing was ever promoted. Throws `BrokenPointer` when the pointer cannot be read. */
  promotedVersion(): Promise<string | null>;
  /**
   * What the pointer is right now, without reading it: changes whenever it is written. For
   * servers that poll for a promotion (S3: the object's ETag from a HEAD; a folder: the
   * file's inode, time and size, new with every atomic rename). `undefined`: no pointer.
   */
  pointerTag(): Promise<string | undefined>;
  /**
   * The promoted version and its artifact; null only when nothing was ever promoted. A broken
   * pointer (`BrokenPointer`) or a broken artifact (`ArtifactError`) is an error, never "none".
   */
  promoted(): Promise<{ version: string; artifact: ModelArtifact } | null>;
  /** Stores a file beside a version (its HTML report). */
  attach(version: string, name: string, body: string, contentType: string): Promise<string>;
  /** A file stored beside a version; null when there is none by that name. */
  attachment(version: string, name: string): Promise<string | null>;
}

export class ModelNotFound extends Error {
  override readonly name = 'ModelNotFound';
  constructor(readonly version: string, location: string) {
    super(`no model version ${version} in ${location}`);
  }
}

/**
 * The pointer exists but names no usable version: empty, torn, not JSON, no version in it,
 * or a version that is not stored. Promoting any stored version repairs it (the rollback
 * works from any pointer state); nothing reads it as "nothing is promoted".
 */
export class BrokenPointer extends Error {
  override readonly name = 'BrokenPointer';
  constructor(readonly source: string, readonly reason: string) {
    super(`the promotion pointer ${source} is broken (${reason}): promote a stored version to repair it (npx brewlake promote VERSION, or POST /models/VERSION/promote)`);
  }
}

export class PromotionConflict extends Error {
  override readonly name = 'PromotionConflict';
  constructor(readonly version: string, attempts: number) {
    super(`could not promote ${version}: the pointer kept changing under us (${attempts} attempts)`);
  }
}

/** A sortable, unique version name: UTC time of training plus a random tag. */
export function newVersionName(at: Date = new Date()): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

const validVersion = /^[0-9A-Za-z][0-9A-Za-z._-]{0,80}$/;
function checkVersionName(version: string): void {
  if (!validVersion.test(version)) throw new ModelNotFound(version, 'the registry (not a version name)');
}

interface Pointer {
  readonly version: string;
  readonly promotedAt: string;
}

/** The pointer file's text as a pointer, or `BrokenPointer` saying what is wrong with it. */
export function parsePointer(text: string, source: string): Pointer {
  if (text.trim() === '') throw new BrokenPointer(source, 'it is empty');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BrokenPointer(source, `not JSON, perhaps torn: ${error instanceof Error ? error.message : String(error)}`);
  }
  const version = typeof value === 'object' && value !== null ? (value as { version?: unknown }).version : undefined;
  if (typeof version !== 'string' || !validVersion.test(version)) throw new BrokenPointer(source, 'it names no version');
  return value as Pointer;
}

/** The promoted version with its artifact; a pointer naming a version that is not stored is broken. */
async function loadPointed(registry: ModelRegistry, version: string, pointerSource: string): Promise<{ version: string; artifact: ModelArtifact }> {
  try {
    return { version, artifact: await registry.load(version) };
  } catch (error) {
    if (error instanceof ModelNotFound) throw new BrokenPointer(pointerSource, `it names ${version}, which is not stored`);
    throw error;
  }
}

/** `registry.list()`'s promoted name: a broken pointer marks no version (list() still lists them all). */
const promotedOrNoneIfBroken = (registry: ModelRegistry) =>
  registry.promotedVersion().catch((error: unknown) => {
    if (error instanceof BrokenPointer) return null;
    throw error;
  });

// ---- local: a folder ----------------------------------------------------------------

/** `<dir>/versions/<version>/{model.json,lineage.json,…}` and the pointer `<dir>/PROMOTED`. */
export function createLocalRegistry(dir: string): ModelRegistry {
  const versionDir = (v: string) => join(dir, 'versions', v);
  const pointerPath = join(dir, 'PROMOTED');

  async function writeAtomically(path: string, body: string): Promise<void> {
    const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, body);
      await rename(tmp, path);
    } catch (error) {
      // A part-written temp file (disk full) would keep the space the next write needs.
      await rm(tmp, { force: true });
      throw error;
    }
  }
  async function readJson(path: string, version: string): Promise<unknown> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ModelNotFound(version, dir);
      throw error;
    }
    try {
      return JSON.parse(text);
    } catch (error) {
      throw new ArtifactError(path, `not JSON, perhaps truncated (${text.length} bytes): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const registry: ModelRegistry = {
    location: dir,
    async save(artifact, lineage) {
      checkVersionName(lineage.version);
      await mkdir(versionDir(lineage.version), { recursive: true });
      await writeAtomically(join(versionDir(lineage.version), 'model.json'), JSON.stringify(artifact));
      await writeAtomically(join(versionDir(lineage.version), 'lineage.json'), JSON.stringify(lineage, null, 2));
      return lineage.version;
    },
    async list() {
      const names = await readdir(join(dir, 'versions')).catch(() => [] as string[]);
      const promoted = await promotedOrNoneIfBroken(registry);
      const versions: ModelVersion[] = [];
      for (const v of names.sort()) {
        const lineage = await registry.lineage(v).catch(() => undefined);
        if (lineage) versions.push({ version: v, lineage, promoted: v === promoted });
      }
      return versions;
    },
    async load(version) {
      checkVersionName(version);
      const path = join(versionDir(version), 'model.json');
      return parseArtifact(await readJson(path, version), path);
    },
    async lineage(version) {
      checkVersionName(version);
      return (await readJson(join(versionDir(version), 'lineage.json'), version)) as Lineage;
    },
    async promote(version) {
      await registry.load(version);
      const pointer: Pointer = { version, promotedAt: new Date().toISOString() };
      await writeAtomically(pointerPath, JSON.stringify(pointer));
    },
    async pointerTag() {
      try {
        const s = await stat(pointerPath);
        return `${s.ino}:${s.mtimeMs}:${s.size}`;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async promotedVersion() {
      let text: string;
      try {
        text = await readFile(pointerPath, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
      return parsePointer(text, pointerPath).version;
    },
    async promoted() {
      const version = await registry.promotedVersion();
      return version === null ? null : loadPointed(registry, version, pointerPath);
    },
    async attach(version, name, body) {
      checkVersionName(version);
      const path = join(versionDir(version), name);
      await writeAtomically(path, body);
      return path;
    },
    async attachment(version, name) {
      checkVersionName(version);
      try {
        return await readFile(join(versionDir(version), name), 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw error;
      }
    },
  };
  return registry;
}

// ---- AWS: an S3 prefix ----------------------------------------------------------------

export interface S3RegistryOptions {
  readonly client: S3Client;
  readonly bucket: string;
  /** e.g. `models/`; ends with `/` or is empty. */
  readonly prefix?: string;
  /** Tries for a promotion racing another one. */
  readonly maxAttempts?: number;
}

const isStatus = (error: unknown, ...codes: number[]) =>
  codes.includes((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode ?? 0);
const notFound = (error: unknown) => isStatus(error, 404) || (error as Error).name === 'NoSuchKey';

export function createS3Registry(options: S3RegistryOptions): ModelRegistry {
  const { client, bucket } = options;
  const prefix = options.prefix ?? '';
  const key = (...parts: string[]) => `${prefix}${parts.join('/')}`;
  const pointerKey = key('PROMOTED');
  const location = `s3://${bucket}/${prefix}`;

  async function getText(k: string, version: string): Promise<{ text: string; etag?: string }> {
    try {
      const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: k }));
      return { text: (await answer.Body?.transformToString()) ?? '', ...(answer.ETag ? { etag: answer.ETag } : {}) };
    } catch (error) {
      if (notFound(error)) throw new ModelNotFound(version, location);
      throw error;
    }
  }
  const pointerSource = `s3://${bucket}/${pointerKey}`;
  /** The pointer object as stored, unparsed (a promotion needs only its ETag); null when there is none. */
  async function readPointerObject(): Promise<{ text: string; etag?: string } | null> {
    try {
      return await getText(pointerKey, 'PROMOTED');
    } catch (error) {
      if (error instanceof ModelNotFound) return null;
      throw error;
    }
  }
  const put = (k: string, body: string, contentType = 'application/json', condition: { IfMatch?: string; IfNoneMatch?: string } = {}) =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: k, Body: body, ContentType: contentType, ...condition }));

  const registry: ModelRegistry = {
    location,
    async save(artifact, lineage) {
      checkVersionName(lineage.version);
      await put(key('versions', lineage.version, 'model.json'), JSON.stringify(artifact));
      await put(key('versions', lineage.version, 'lineage.json'), JSON.stringify(lineage, null, 2));
      return lineage.version;
    },
    async list() {
      const versions = new Set<string>();
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key('versions', ''), ContinuationToken: token }));
        for (const o of page.Contents ?? []) {
          const v = o.Key?.slice(key('versions', '').length).split('/')[0];
          if (v) versions.add(v);
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      const promoted = await promotedOrNoneIfBroken(registry);
      const out: ModelVersion[] = [];
      for (const v of [...versions].sort()) {
        const lineage = await registry.lineage(v).catch(() => undefined);
        if (lineage) out.push({ version: v, lineage, promoted: v === promoted });
      }
      return out;
    },
    async load(version) {
      checkVersionName(version);
      const k = key('versions', version, 'model.json');
      const { text } = await getText(k, version);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new ArtifactError(`s3://${bucket}/${k}`, `not JSON, perhaps truncated (${text.length} bytes): ${error instanceof Error ? error.message : String(error)}`);
      }
      return parseArtifact(json, `s3://${bucket}/${k}`);
    },
    async lineage(version) {
      checkVersionName(version);
      return JSON.parse((await getText(key('versions', version, 'lineage.json'), version)).text) as Lineage;
    },
    async promote(version) {
      await registry.load(version);
      const attempts = options.maxAttempts ?? 5;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        // Whatever the pointer holds (even nothing readable), only its ETag matters here.
        const etag = (await readPointerObject())?.etag;
        const body = JSON.stringify({ version, promotedAt: new Date().toISOString() } satisfies Pointer);
        try {
          // Only if nobody moved the pointer since we read it (or created it, if there was none).
          await put(pointerKey, body, 'application/json', etag ? { IfMatch: etag } : { IfNoneMatch: '*' });
          return;
        } catch (error) {
          if (!isStatus(error, 412, 409)) throw error;
        }
      }
      throw new PromotionConflict(version, attempts);
    },
    async pointerTag() {
      try {
        return (await client.send(new HeadObjectCommand({ Bucket: bucket, Key: pointerKey }))).ETag;
      } catch (error) {
        if (notFound(error)) return undefined;
        throw error;
      }
    },
    async promotedVersion() {
      const stored = await readPointerObject();
      return stored === null ? null : parsePointer(stored.text, pointerSource).version;
    },
    async promoted() {
      const version = await registry.promotedVersion();
      return version === null ? null : loadPointed(registry, version, pointerSource);
    },
    async attach(version, name, body, contentType) {
      checkVersionName(version);
      const k = key('versions', version, name);
      await put(k, body, contentType);
      return `s3://${bucket}/${k}`;
    },
    async attachment(version, name) {
      checkVersionName(version);
      try {
        return (await getText(key('versions', version, name), version)).text;
      } catch (error) {
        if (error instanceof ModelNotFound) return null;
        throw error;
      }
    },
  };
  return registry;
}

/**
 * The hashicorp/aws provider `make verify_aws` runs: built from source by
 * verify/build-provider.sh into a filesystem mirror outside the checkout, under the version
 * the stacks pin (stacks/aws-provider.json). Here: is it there, what was it built from, how
 * long did the build take, and the Terraform CLI configuration that installs it from the
 * mirror only (a user with internet gets the same provider from the registry instead).
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { awsProviderPin as pinnedProvider } from '../stacks/aws-provider';

export { pinnedProvider };

export const cacheDir = (env: NodeJS.ProcessEnv = process.env) => env.BREWLAKE_CACHE || join(homedir(), '.cache', 'brewlake');

export interface ProviderBuild {
  /** `h:mm:ss` or `m:ss.ss`, as GNU time prints it. */
  readonly wall: string;
  readonly wallSeconds: number;
  readonly peakRssBytes: number;
}

export type ProviderMirror =
  | {
      readonly kind: 'cached';
      readonly mirrorDir: string;
      readonly version: string;
      readonly builtFrom: string;
      /** What the built source calls itself (`6.47.1 (CHANGELOG: 6.48.0 (Unreleased))`), when recorded. */
      readonly sourceVersion: string | undefined;
      readonly build: ProviderBuild | undefined;
    }
  | { readonly kind: 'missing'; readonly mirrorDir: string; readonly version: string; readonly build: ProviderBuild | undefined };

export function providerMirror(cache = cacheDir()): ProviderMirror {
  const mirrorDir = join(cache, 'terraform-plugins');
  const { version } = pinnedProvider;
  const target = join(mirrorDir, 'registry.terraform.io', pinnedProvider.source, version, 'linux_amd64');
  const binary = join(target, `terraform-provider-aws_v${version}`);
  const stamp = join(target, 'BUILT_FROM');
  const timeFile = join(cache, 'provider-build.time');
  const build = existsSync(timeFile) ? parseGnuTime(readFileSync(timeFile, 'utf8')) : undefined;
  const sourceVersionFile = join(target, 'SOURCE_VERSION');
  const sourceVersion = existsSync(sourceVersionFile) ? readFileSync(sourceVersionFile, 'utf8').trim() || undefined : undefined;
  if (existsSync(binary) && existsSync(stamp)) return { kind: 'cached', mirrorDir, version, builtFrom: readFileSync(stamp, 'utf8').trim(), sourceVersion, build };
  return { kind: 'missing', mirrorDir, version, build };
}

/** `/usr/bin/time -v` output: wall clock and peak resident memory; undefined when either is absent. */
export function parseGnuTime(text: string): ProviderBuild | undefined {
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/.exec(text)?.[1];
  const rssKb = /Maximum resident set size \(kbytes\): (\d+)/.exec(text)?.[1];
  if (!wall || !rssKb) return undefined;
  const parts = wall.split(':').map(Number);
  const wallSeconds = parts.reduce((total, part) => total * 60 + part, 0);
  if (!Number.isFinite(wallSeconds)) return undefined;
  return { wall, wallSeconds, peakRssBytes: Number(rssKb) * 1024 };
}

/**
 * `module@v1.60.1-0.20260602190131-5f2286d6d836` → `built from module commit 5f2286d6d836
 * (2026-06-02 19:01:31 UTC)`, and what that source calls itself when known: the binary is
 * registered under the pinned version whatever it is, so the summary says what it really is.
 */
export function describeOrigin(builtFrom: string, sourceVersion?: string): string {
  const match = /^(.+)@v[\d.]+-0\.(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})-([0-9a-f]{12})$/.exec(builtFrom);
  const origin = match ? `built from ${match[1]} commit ${match[8]} (${match[2]}-${match[3]}-${match[4]} ${match[5]}:${match[6]}:${match[7]} UTC)` : `built from ${builtFrom}`;
  return sourceVersion ? `${origin}, whose source says version ${sourceVersion}` : origin;
}

/** A Terraform CLI configuration (TF_CLI_CONFIG_FILE) that installs hashicorp/aws from the mirror and nowhere else. */
export function terraformCliConfig(mirrorDir: string): string {
  const provider = `registry.terraform.io/${pinnedProvider.source}`;
  return [
    'provider_installation {',
    `  filesystem_mirror {`,
    `    path    = ${JSON.stringify(mirrorDir)}`,
    `    include = [${JSON.stringify(provider)}]`,
    '  }',
    '  direct {',
    `    exclude = [${JSON.stringify(provider)}]`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * verify/build-provider.sh builds into `<binary>.tmp` and renames it into place: a build
 * that fails (a link cut short by a full disk) must not leave its part-written binary behind
 * to hold the space the next build needs. `go` is a stand-in on PATH that writes half a
 * binary and fails, as the linker does when the disk fills.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = resolve(dirname(fileURLToPath(import.meta.url)), 'build-provider.sh');

it('removes the part-written binary when the build fails, and says the build failed', () => {
  const root = mkdtempSync(join(tmpdir(), 'build-provider-'));
  const bin = join(root, 'bin');
  const source = join(root, 'source');
  mkdirSync(bin);
  mkdirSync(source);
  writeFileSync(
    join(bin, 'go'),
    `#!/usr/bin/env bash
if [ "$1" = mod ]; then echo '{"Dir":"${source}"}'; exit 0; fi
while [ $# -gt 0 ]; do if [ "$1" = -o ]; then out=$2; fi; shift; done
head -c 4096 /dev/zero > "$out"
echo "write $out: no space left on device" >&2
exit 1
`,
  );
  chmodSync(join(bin, 'go'), 0o755);
  const cache = join(root, 'cache');
  const run = spawnSync('bash', [script], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, BREWLAKE_CACHE: cache } });
  expect(run.status).toBe(1);
  expect(run.stderr).toContain('provider build failed');
  expect(run.stderr).toContain('no space left on device');
  const target = join(cache, 'terraform-plugins/registry.terraform.io/hashicorp/aws');
  const built = readdirSync(target, { recursive: true }).map(String);
  expect(built.filter((name) => name.endsWith('.tmp'))).toEqual([]);
});

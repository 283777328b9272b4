import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryWithTwoVersions } from '../lambdas/serve/registry-fixture.test-support';
import { writeCatalogueLake } from '../test/catalogue-lake';
import { repoRoot, runBrewlake } from '../test/run-brewlake';

let parent: string;
let lake: string;
let busy: Server;
let busyPort: number;
beforeAll(async () => {
  parent = await mkdtemp(join(tmpdir(), 'brewlake-cli-port-'));
  lake = join(parent, 'lake');
  await writeCatalogueLake(lake);
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen({ host: '127.0.0.1', port: 0 }, resolve));
  busyPort = (busy.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise((resolve) => busy.close(resolve));
  await rm(parent, { recursive: true, force: true });
});

const oneLineNamingThePort = (stderr: string) => {
  expect(stderr).toBe(`brewlake: port ${busyPort} on 127.0.0.1 is in use: choose another with --port (--port 0 picks a free one)\n`);
};

describe('a busy port', () => {
  it('serve says so in one line before training a model (no model trained, no stack trace), exit 1', async () => {
    const { code, stderr } = await runBrewlake(['serve', '--lake', lake, '--port', String(busyPort)]);
    expect(code).toBe(1);
    oneLineNamingThePort(stderr);
    expect(await readdir(lake)).not.toContain('_models');
  }, 30_000);

  it('demo --once --serve says so before building the lake', async () => {
    const fresh = join(parent, 'fresh');
    const { code, stderr } = await runBrewlake(['demo', '--once', '--ticks', '0', '--serve', String(busyPort), '--lake', fresh]);
    expect(code).toBe(1);
    oneLineNamingThePort(stderr);
    await expect(readdir(fresh)).rejects.toThrow(/ENOENT/);
  }, 30_000);

  it('serve --check-port (what make demo runs first) exits 1 on a busy port, 0 on a free one, with no lake yet', async () => {
    const taken = await runBrewlake(['serve', '--check-port', '--port', String(busyPort), '--lake', join(parent, 'not-yet')]);
    expect(taken.code).toBe(1);
    oneLineNamingThePort(taken.stderr);
    const free = await runBrewlake(['serve', '--check-port', '--port', '0', '--lake', join(parent, 'not-yet')]);
    expect(free).toMatchObject({ code: 0, stderr: '' });
  }, 30_000);

  it('a --host that is no address of this machine is one line naming --host', async () => {
    const { code, stderr } = await runBrewlake(['serve', '--check-port', '--host', '192.0.2.1', '--port', '0', '--lake', lake]);
    expect(code).toBe(1);
    expect(stderr).toBe('brewlake: cannot listen on 192.0.2.1: not an address of this machine; choose another with --host\n');
  }, 30_000);
});

it('serve --host binds the address given, and prints it', async () => {
  const { dir } = await registryWithTwoVersions('base');
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'brewlake.mjs'), 'serve', '--lake', lake, '--registry', dir, '--host', '127.0.0.2', '--port', '0'], { cwd: repoRoot });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const match = /^(http:\/\/\S+)$/m.exec(stdout);
        if (match) resolve(match[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited ${code}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
    expect((await fetch(`${url}/health`)).status).toBe(200);
  } finally {
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
  }
}, 60_000);

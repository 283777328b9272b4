import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registryWithTwoVersions } from '../lambdas/serve/registry-fixture.test-support';
import { cleanedBeerTable } from '../glue/schema';
import { catalogue, cleanedRowOf, writeCatalogueLake, writeLakeFile } from '../test/catalogue-lake';
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

/** Starts `serve` with `args`; resolves with the URL it prints, or rejects when it exits first. */
function startServe(args: readonly string[]): { child: ChildProcess; url: Promise<string>; exited: Promise<number | null>; stderr: () => string } {
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'brewlake.mjs'), 'serve', ...args], { cwd: repoRoot });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const url = new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^(http:\/\/\S+)$/m.exec(stdout);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`printed no URL within 30 s: ${stderr}`)), 30_000).unref();
  });
  return { child, url, exited, stderr: () => stderr };
}

async function stopServe(served: ReturnType<typeof startServe>): Promise<void> {
  served.child.kill('SIGINT');
  await served.exited;
}

describe('serve --host', () => {
  // IPv6 literals made `http://::1:PORT/ready`, no URL: serve printed that and never exited.
  it.each([
    ['127.0.0.2', /^http:\/\/127\.0\.0\.2:\d+$/],
    ['::1', /^http:\/\/\[::1\]:\d+$/],
    ['::', /^http:\/\/\[::\]:\d+$/],
  ])('binds %s, prints its URL (IPv6 in brackets) and answers there', async (host, printed) => {
    const { dir } = await registryWithTwoVersions('base');
    const served = startServe(['--lake', lake, '--registry', dir, '--host', host, '--port', '0']);
    try {
      const url = await served.url;
      expect(url).toMatch(printed);
      expect((await fetch(`${url}/health`)).status).toBe(200);
    } finally {
      await stopServe(served);
    }
  }, 60_000);

  it.each([
    [['--host', ''], "option '--host <address>' argument '' is invalid"],
    [['--host', ' '], "option '--host <address>' argument ' ' is invalid"],
    [['--port', ''], "option '--port <port>' argument '' is invalid"],
    [['--port', '8.5'], "option '--port <port>' argument '8.5' is invalid"],
    [['--port', '0x50'], "option '--port <port>' argument '0x50' is invalid"],
    [['--port', '-1'], "option '--port <port>' argument '-1' is invalid"],
    [['--port', '65536'], "option '--port <port>' argument '65536' is invalid"],
    [['--port', ' 80'], "option '--port <port>' argument ' 80' is invalid"],
  ])('refuses %j in one line naming the option, before doing anything', async (bad, message) => {
    const { code, stdout, stderr } = await runBrewlake(['serve', '--lake', lake, ...bad], { timeoutMs: 20_000 });
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`error: ${message}`);
  }, 30_000);

  it('demo --serve refuses an empty port the same way', async () => {
    const { code, stderr } = await runBrewlake(['demo', '--once', '--serve', '', '--lake', join(parent, 'never-made')], { timeoutMs: 20_000 });
    expect(code).toBe(1);
    expect(stderr).toContain("option '--serve [port]' argument '' is invalid");
    await expect(readdir(join(parent, 'never-made'))).rejects.toThrow(/ENOENT/);
  }, 30_000);
});

it('a failure once listening closes the server and exits 1, instead of listening on', async () => {
  // Fault: a beer above the API's physical range, so replaying the lake through /predict is refused.
  const faulty = join(parent, 'faulty');
  await writeCatalogueLake(faulty);
  const arrived = new Date('2024-06-01T12:00:00.000Z');
  await writeLakeFile(faulty, cleanedBeerTable, [{ ...cleanedRowOf(catalogue[0], arrived), id: 100_000, abv: 1000 }], { time: arrived, id: 'impossible' });
  const { dir } = await registryWithTwoVersions('base');
  const served = startServe(['--lake', faulty, '--registry', dir, '--port', '0', '--replay']);
  try {
    const url = await served.url;
    const stillListening = new Promise<string>((resolve) => setTimeout(() => resolve('still listening after 30 s'), 30_000).unref());
    expect(await Promise.race([served.exited, stillListening])).toBe(1);
    expect(served.stderr()).toMatch(/brewlake: replaying the lake: \/predict answered 400: .*abv/);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  } finally {
    if (served.child.exitCode === null) await stopServe(served);
  }
}, 60_000);
